package dev.fulcrum.bench;

import dev.fulcrum.Reply;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

/**
 * One preallocated, reusable request of a benchmark: the same object travels to whichever engine is measured and
 * comes back completed, so no engine is charged for the benchmark's own allocation.
 * <p>
 * Threading: the requester fills it and calls {@link #reset()} while it is not in flight; the engine's worker runs
 * {@link BenchTask} on it and calls {@link #reply}, which marks it done with a release store; the requester reads
 * {@link #isDone()} with an acquire load, after which it owns the probe again. It is a {@link Runnable} (callback
 * baselines: run the task, then call the reply) and a {@link Callable} (Future baselines: run the task, return).
 */
public final class Probe implements Runnable, Callable<Probe>
{
    private static final VarHandle STATE;

    static final int IN_FLIGHT = 0;
    static final int DONE = 1;
    static final int FAILED = 2;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(Probe.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Marks the probe done; allocates nothing, so the callback path stays garbage-free. */
    public static final Reply<Probe, Probe> REPLY = new CompletingReply(false);
    /** As {@link #REPLY}, and first stamps {@link #completedNs} with {@link System#nanoTime()} on the worker. */
    public static final Reply<Probe, Probe> STAMPING_REPLY = new CompletingReply(true);

    /** Input of the tiny task; any value. */
    long input;
    /** Written by the task, read by the requester after {@link #isDone()}. */
    long output;
    /** How long the task busy-spins, 0 for the tiny task. */
    long serviceNs;
    /** Park for {@link #serviceNs} instead of spinning: the task holds its worker but not a core. */
    boolean parkService;
    /** The run's slow worker, which stretches {@link #serviceNs} on its own thread; null: every worker alike. */
    SlowWorker slowWorker;
    /** When the request was meant to be sent (open loop) or was sent (closed loop). */
    long intendedNs;
    /** When the reply ran, on the worker; set by {@link #STAMPING_REPLY} only. */
    long completedNs;
    /** What the task threw, when it failed. */
    Throwable error;
    /** Where the outcome goes (callback engines call it themselves; Fulcrum is handed it on submit). */
    Reply<Probe, Probe> reply = REPLY;
    /** Future of the request, for the Future baseline only. */
    Future<Probe> future;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = DONE;

    /**
     * Make the probe ready to be sent again; requester only, while not in flight.
     */
    void reset()
    {
        error = null;
        future = null;
        STATE.setRelease(this, IN_FLIGHT);
    }

    boolean isDone()
    {
        return (int)STATE.getAcquire(this) != IN_FLIGHT;
    }

    boolean isFailed()
    {
        return (int)STATE.getAcquire(this) == FAILED;
    }

    Throwable error()
    {
        return error;
    }

    /**
     * Callback baselines: run the task and then the reply, on the pool's thread.
     */
    @Override
    public void run()
    {
        final Probe result;
        try
        {
            result = BenchTask.INSTANCE.execute(this);
        }
        catch (final Throwable t)
        {
            reply.onError(this, t);
            return;
        }
        reply.onResult(this, result);
    }

    /**
     * Future baselines: run the task; the future carries the outcome.
     */
    @Override
    public Probe call()
    {
        return BenchTask.INSTANCE.execute(this);
    }

    void markDone()
    {
        STATE.setRelease(this, DONE);
    }

    void markFailed(final Throwable t)
    {
        error = t;
        STATE.setRelease(this, FAILED);
    }

    private static final class CompletingReply implements Reply<Probe, Probe>
    {
        private final boolean stamp;

        CompletingReply(final boolean stamp)
        {
            this.stamp = stamp;
        }

        @Override
        public void onResult(final Probe request, final Probe result)
        {
            if (stamp)
            {
                request.completedNs = System.nanoTime();
            }
            request.markDone();
        }

        @Override
        public void onError(final Probe request, final Throwable error)
        {
            if (stamp)
            {
                request.completedNs = System.nanoTime();
            }
            request.markFailed(error);
        }
    }
}
