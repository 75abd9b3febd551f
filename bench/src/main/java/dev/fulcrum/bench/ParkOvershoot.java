package dev.fulcrum.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How much longer than asked a task that parks for its service time ({@code --task=park}) takes on this machine: a
 * park wakes late (the kernel's timer slack, 50 us by default on Linux, and the wake-up), so a 200 us task takes
 * about 270 us. The balance part offers its load against the time tasks really take, not the time they ask for:
 * counted from the asked time alone, "50%" would be about 67% on the workers here, and with a slow worker 82%, where
 * a tail is mostly the noise of a queue near saturation.
 */
final class ParkOvershoot
{
    private ParkOvershoot()
    {
    }

    /**
     * Park as a task does, {@code samples} times, on the calling thread.
     *
     * @param serviceNs the service time asked for; above 0.
     * @param samples   how many tasks to time; above 0.
     * @return the median time past the deadline, in ns; 0 or more.
     */
    static long measureNs(final long serviceNs, final int samples)
    {
        final long[] overNs = new long[samples];
        for (int i = 0; i < samples; i++)
        {
            final long deadlineNs = System.nanoTime() + serviceNs;
            long leftNs;
            while ((leftNs = deadlineNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(leftNs);
            }
            overNs[i] = System.nanoTime() - deadlineNs;
        }
        Arrays.sort(overNs);
        return Math.max(0, overNs[samples / 2]);
    }
}
