package dev.fulcrum;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The engine's statistics: single-writer counters that any thread may read. The balancer's counters and each
 * worker's counters sit on cache lines of their own (128 bytes apart, against adjacent-line prefetch), so no two
 * writers share a line. Writers publish with release stores (a plain store on x86), readers use volatile loads;
 * nothing here is ever a contended read-modify-write.
 */
final class Counters
{
    private static final int STRIDE = 16;

    // balancer fields, written by whichever thread holds the balancer's baton (one at a time)
    static final int DISPATCHED = 0;
    static final int KEYS_IN_FLIGHT = 1;
    static final int PARKED = 2;
    static final int KEY_BACKLOG_REJECTED = 3;
    static final int STALLS = 4;
    static final int MOVED = 5;
    /** Balancer thread's own activity count: odd while it delivers engine errors to replies (user code). */
    static final int BALANCER_ACTIVITY = 6;
    static final int BALANCER_INTERRUPTS_CLEARED = 7;
    private static final int PER_WORKER_BASE = 8;

    // per worker, in the balancer's region: the balancer's view of each worker
    static final int PENDING = 0;
    static final int WORKER_STALLS = 1;
    static final int WORKER_MOVED = 2;
    static final int WORKER_STALLED = 3;
    /** {@link WorkerStates#GONE}, {@link WorkerStates#RUNNING} or {@link WorkerStates#LEAVING}. */
    static final int WORKER_STATE = 4;
    private static final int PER_WORKER = 5;

    // worker fields, written by worker thread w only
    static final int COMPLETED = 0;
    static final int FAILED = 1;
    static final int REPLY_ERRORS = 2;
    /** Odd while the worker is in user code (a task, its reply, the end-of-batch hook), even otherwise. */
    static final int ACTIVITY = 3;
    static final int INTERRUPTS_CLEARED = 4;

    private final AtomicLongArray values;
    private final int workerBase;
    private final int workers;

    Counters(final int workers)
    {
        this.workers = workers;
        final int balancerLongs = PER_WORKER_BASE + PER_WORKER * workers;
        workerBase = STRIDE + ((balancerLongs + STRIDE - 1) / STRIDE) * STRIDE;
        values = new AtomicLongArray(workerBase + workers * STRIDE + STRIDE);
    }

    int workers()
    {
        return workers;
    }

    // balancer thread only
    void balancer(final int field, final long value)
    {
        values.lazySet(STRIDE + field, value);
    }

    // balancer thread only
    void pending(final int worker, final long value)
    {
        values.lazySet(STRIDE + PER_WORKER_BASE + PER_WORKER * worker + PENDING, value);
    }

    // balancer thread only
    void balancerView(final int worker, final int field, final long value)
    {
        values.lazySet(STRIDE + PER_WORKER_BASE + PER_WORKER * worker + field, value);
    }

    // worker thread {@code worker} only
    void worker(final int worker, final int field, final long value)
    {
        values.lazySet(workerBase + worker * STRIDE + field, value);
    }

    long balancer(final int field)
    {
        return values.get(STRIDE + field);
    }

    long pending(final int worker)
    {
        return balancerView(worker, PENDING);
    }

    long balancerView(final int worker, final int field)
    {
        return values.get(STRIDE + PER_WORKER_BASE + PER_WORKER * worker + field);
    }

    long worker(final int worker, final int field)
    {
        return values.get(workerBase + worker * STRIDE + field);
    }
}
