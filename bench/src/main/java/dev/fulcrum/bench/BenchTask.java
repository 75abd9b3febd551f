package dev.fulcrum.bench;

import dev.fulcrum.Task;

import java.util.concurrent.locks.LockSupport;

/**
 * The work every engine runs: a few arithmetic operations on the probe's input (the "tiny task"), preceded by a
 * bounded busy-spin (or park) when the probe asks for a service time (the heavy-tailed load of the balance test),
 * stretched on the slow worker's thread when the probe names one ({@link SlowWorker}). Stateless,
 * so one instance serves every worker; allocates nothing; returns the probe itself so that no result is boxed.
 */
public final class BenchTask implements Task<Probe, Probe>
{
    public static final BenchTask INSTANCE = new BenchTask();

    private BenchTask()
    {
    }

    @Override
    public Probe execute(final Probe probe)
    {
        if (probe.serviceNs > 0)
        {
            final SlowWorker slowWorker = probe.slowWorker;
            final long serviceNs = null == slowWorker ? probe.serviceNs : slowWorker.serviceNs(probe.serviceNs);
            final long deadlineNs = System.nanoTime() + serviceNs;
            long leftNs;
            while ((leftNs = deadlineNs - System.nanoTime()) > 0)
            {
                if (probe.parkService)
                {
                    LockSupport.parkNanos(leftNs);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }
        // a splitmix64 finaliser: cheap, and its result depends on the input so it cannot be folded away
        long z = probe.input + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        probe.output = z ^ (z >>> 31);
        return probe;
    }
}
