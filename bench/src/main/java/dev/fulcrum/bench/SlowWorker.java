package dev.fulcrum.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slow worker for a run of the harness's balance part, whatever the engine: the first thread that runs a timed
 * task ({@link Probe#serviceNs} above 0) carrying this object becomes the slow worker, and from then on every timed
 * task that runs on it takes {@code 1 / speed} times its service time; tasks on other threads are untouched. The
 * engine cannot tell: to it the slow worker is one whose tasks take longer, as on a core shared with something else.
 * <p>
 * Threading: any worker thread calls {@link #serviceNs(long)}; the first call claims the slot with one
 * compare-and-set, every later one is a read and a comparison with {@link Thread#currentThread()}, so nothing is
 * allocated per task. Any thread may read {@link #threadName()}, once the run is over.
 */
final class SlowWorker
{
    private static final VarHandle THREAD;

    static
    {
        try
        {
            THREAD = MethodHandles.lookup().findVarHandle(SlowWorker.class, "thread", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final double speed;
    private final double stretch;
    private final long overshootNs;
    @SuppressWarnings("unused") // accessed through THREAD
    private volatile Thread thread;

    /**
     * @param speed the slow worker's speed against the others: above 0, at most 1 (1: as fast as every other).
     * @throws IllegalArgumentException naming the value when it is out of range.
     */
    SlowWorker(final double speed)
    {
        this(speed, 0);
    }

    /**
     * @param speed       the slow worker's speed against the others: above 0, at most 1 (1: as fast as every other).
     * @param overshootNs what a task takes beyond its service time whatever the worker ({@link ParkOvershoot}), so
     *                    that the slow worker's tasks really take {@code 1 / speed} times as long: 0 or more.
     * @throws IllegalArgumentException naming the value when it is out of range.
     */
    SlowWorker(final double speed, final long overshootNs)
    {
        if (!(speed > 0 && speed <= 1))
        {
            throw new IllegalArgumentException("slow-worker must be > 0 and <= 1: slow-worker=" + speed);
        }
        if (overshootNs < 0)
        {
            throw new IllegalArgumentException("overshootNs must be >= 0: overshootNs=" + overshootNs);
        }
        this.speed = speed;
        this.stretch = 1 / speed;
        this.overshootNs = overshootNs;
    }

    /**
     * Worker thread, before a timed task: claim the slow worker's place if nobody holds it yet.
     *
     * @param serviceNs the task's service time, above 0.
     * @return {@code (serviceNs + overshootNs) / speed - overshootNs} on the slow worker's thread, {@code serviceNs}
     *         on any other.
     */
    long serviceNs(final long serviceNs)
    {
        final Thread current = Thread.currentThread();
        Thread slow = (Thread)THREAD.getAcquire(this);
        if (null == slow)
        {
            // first timed task of the run: the one thread whose set succeeds is the slow worker
            slow = THREAD.compareAndSet(this, null, current) ? current : (Thread)THREAD.getAcquire(this);
        }
        return slow == current ? (long)((serviceNs + overshootNs) * stretch) - overshootNs : serviceNs;
    }

    /**
     * @return the slow worker's speed against the others.
     */
    double speed()
    {
        return speed;
    }

    /**
     * @return the name of the slow worker's thread, or null when no timed task has run yet.
     */
    String threadName()
    {
        final Thread slow = (Thread)THREAD.getAcquire(this);
        return null == slow ? null : slow.getName();
    }
}
