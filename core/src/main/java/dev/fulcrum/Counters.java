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

    static final int DISPATCHED = 0;
    static final int KEYS_IN_FLIGHT = 1;
    static final int PARKED = 2;
    private static final int PENDING_BASE = 3;

    static final int COMPLETED = 0;
    static final int FAILED = 1;
    static final int REPLY_ERRORS = 2;

    private final AtomicLongArray values;
    private final int workerBase;
    private final int workers;

    Counters(final int workers)
    {
        this.workers = workers;
        final int balancerLongs = PENDING_BASE + workers;
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
        values.lazySet(STRIDE + PENDING_BASE + worker, value);
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
        return values.get(STRIDE + PENDING_BASE + worker);
    }

    long worker(final int worker, final int field)
    {
        return values.get(workerBase + worker * STRIDE + field);
    }
}
