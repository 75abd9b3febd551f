package dev.fulcrum;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The watchdog's word to the balancer, one slot per worker: "stalled at activity count a" or "recovered". The
 * watchdog posts and bumps an epoch; the balancer checks the epoch once per duty cycle (one volatile load of a line
 * that is written only when a worker stalls or recovers) and takes the notices when it moved. A newer notice for a
 * worker replaces an older one not yet taken: only the latest state matters.
 */
final class StallNotices
{
    static final long NONE = Long.MIN_VALUE;
    static final long RECOVERED = -1;

    private final AtomicLongArray notices;
    private volatile long epoch;
    private long seenEpoch;

    StallNotices(final int workers)
    {
        notices = new AtomicLongArray(workers);
        for (int w = 0; w < workers; w++)
        {
            notices.set(w, NONE);
        }
    }

    /**
     * Watchdog thread only.
     *
     * @param notice the worker's odd activity count when it stalled, or {@link #RECOVERED}.
     */
    @SuppressWarnings("NonAtomicOperationOnVolatileField") // single writer: the watchdog
    void post(final int worker, final long notice)
    {
        notices.set(worker, notice);
        epoch = epoch + 1;
    }

    /**
     * Any thread: false when no notice has been posted since the baton holder last looked (a racy hint, read
     * before taking the baton; {@link #hasNews()} decides).
     */
    boolean mayHaveNews()
    {
        return epoch != seenEpoch;
    }

    /**
     * Baton holder: true once per epoch the watchdog moved since the last call.
     */
    boolean hasNews()
    {
        final long e = epoch;
        if (e == seenEpoch)
        {
            return false;
        }
        seenEpoch = e;
        return true;
    }

    /**
     * Baton holder.
     *
     * @return the worker's latest notice, or {@link #NONE}; either way the slot is empty afterwards.
     */
    long take(final int worker)
    {
        return notices.getAndSet(worker, NONE);
    }
}
