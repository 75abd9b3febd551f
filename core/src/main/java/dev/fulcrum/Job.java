package dev.fulcrum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A request in flight, from the balancer's pool. The balancer fills it from a ring slot and hands it to one
 * worker's queue; the worker claims it, runs it, replies, and returns it over the completion queue; the balancer
 * recycles it.
 * <p>
 * Ownership: the queues carry a job between threads, and one state word decides who may act on it once it is in a
 * worker's queue, where the worker and the balancer (moving it off a stalled worker) or a closing thread (answering
 * it at a deadline) can both reach it:
 * <pre>
 *            claim (worker)            finish (worker)
 *   QUEUED -----------------&gt; RUNNING ----------------&gt; DONE     the worker replies
 *     |  &lt;---------------------- |
 *     |   unclaim (a lost remote |
 *     |   worker that never sent |
 *     |   the job)               |
 *     | revoke (balancer/closer) | abandon (closer, deadline passed)
 *     v                          v
 *   REVOKED                   ABANDONED                            the revoker / closer answers; the worker must not
 * </pre>
 * Every arrow is one compare-and-set, so of two threads racing for a job exactly one wins and exactly one reply is
 * sent. One shortcut: in SHARED mode a job for worker 0 with nothing queued before it never enters a queue; the
 * balancer marks it RUNNING while it holds the baton ({@link #startedByBalancer()}) and its own thread runs it next,
 * so the claim's race cannot arise. A revoked job stays in its queue until its worker skips it and hands it back (so it goes back to the pool
 * only once nobody holds it); an abandoned one is never handed back (its engine is gone). {@link #generation} grows
 * each time the job leaves the pool, so an interrupt or a late result aimed at one use of the job is recognised.
 */
final class Job
{
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int DONE = 2;
    static final int REVOKED = 3;
    static final int ABANDONED = 4;

    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(Job.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    Object request;
    Reply<Object, Object> reply;
    long key;
    boolean keyed;
    /** The submit stamp of its ring slot (latency histograms); a moved copy keeps the original's. */
    long submitNs;
    int worker = -1;
    long generation;
    /** {@link System#nanoTime()} at dispatch, stamped only for a policy that asks for round-trip times. */
    long dispatchNs;
    /** A copy moved off a stalled or leaving worker, not yet dispatched to its new one. */
    boolean moved;
    /** Handed back by a lost remote worker for the balancer to dispatch again ({@link WorkerLink#safeToRunTwice}). */
    boolean retry;
    /** Next job parked behind the same worker: an intrusive list, so parking allocates nothing. */
    Job nextParked;
    /** Next job handed to the same worker (dispatch order, which is the order the worker takes them). */
    Job nextOutstanding;
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /**
     * Balancer, before the job is offered to a worker's queue (the queue's release publishes it).
     */
    void queued()
    {
        STATE.set(this, QUEUED);
    }

    /**
     * Balancer, SHARED mode, for worker 0 (its own thread) with nothing queued before the job: the job passes no
     * queue and starts as claimed. A plain store, published to any later holder of the baton by the baton's release
     * (see {@link BalancerAgent#takeDirect()}).
     */
    void startedByBalancer()
    {
        STATE.set(this, RUNNING);
    }

    /**
     * Worker: take the job before starting it.
     *
     * @return true when it is the worker's to run; false when it was revoked (skip it and hand it back).
     */
    boolean claim()
    {
        return STATE.compareAndSet(this, QUEUED, RUNNING);
    }

    /**
     * Worker: the task has returned; take the right to reply.
     *
     * @return true when the worker replies; false when a deadline close abandoned the job and answered it.
     */
    boolean finish()
    {
        return STATE.compareAndSet(this, RUNNING, DONE);
    }

    /**
     * Remote worker, once its link is lost: give back a job it claimed but never sent, so that it moves as a queued
     * job does (the balancer revokes it and dispatches a copy elsewhere).
     *
     * @return true when it is queued again; false when a deadline close abandoned it meanwhile (and answered it).
     */
    boolean unclaim()
    {
        return STATE.compareAndSet(this, RUNNING, QUEUED);
    }

    /**
     * Balancer or closer: take a queued job away from its worker before it starts.
     *
     * @return true when revoked (the caller now answers for the request); false when the worker has it.
     */
    boolean revoke()
    {
        return STATE.compareAndSet(this, QUEUED, REVOKED);
    }

    /**
     * Closer, at a deadline: take the right to reply from a worker still running the job.
     *
     * @return true when abandoned (the caller answers; the worker's late result is dropped).
     */
    boolean abandon()
    {
        return STATE.compareAndSet(this, RUNNING, ABANDONED);
    }

    /**
     * Call the request's reply with its outcome: the result, or {@code error} when that is not null.
     *
     * @return what the reply threw (the caller counts and reports it), or null.
     */
    Throwable answer(final Object result, final Throwable error)
    {
        try
        {
            if (null == error)
            {
                reply.onResult(request, result);
            }
            else
            {
                reply.onError(request, error);
            }
            return null;
        }
        catch (final Throwable t)
        {
            return t;
        }
    }

    int state()
    {
        return (int)STATE.getAcquire(this);
    }

    /**
     * Make this job a copy of {@code other}'s request, to be dispatched in its place.
     */
    void copyRequestOf(final Job other)
    {
        request = other.request;
        reply = other.reply;
        key = other.key;
        keyed = other.keyed;
        submitNs = other.submitNs;
    }

    void clear()
    {
        request = null;
        reply = null;
        key = 0;
        keyed = false;
        worker = -1;
        moved = false;
        retry = false;
        nextParked = null;
        nextOutstanding = null;
    }
}
