package dev.fulcrum;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The published latency figures: per worker, for the waits (submit to the start of the task: the ring, the
 * balancer, the worker's queue) and the times in service (start to end of the task, the reply excluded), the last
 * completed interval's request count, p50, p99, p99.9 and max, in nanoseconds. {@link #publish} is the one way in,
 * called by the interval reader after each interval (and with zeros when a slot is reused); whatever else should
 * show these figures (a counters file, a metrics registry) is fed from there.
 * <p>
 * One writer per worker at a time (the interval reader, under that worker's {@link LatencyRecorder} lock); any
 * thread reads. Each worker's figures are one seqlock, so a reader gets both kinds of one interval, never the
 * waits of one and the times in service of the next. Once per interval per worker, so every access is volatile:
 * simple, and off the hot path.
 */
final class LatencyFigures
{
    // the figures of one kind, in this order, in publish's and read's arrays
    static final int COUNT = 0;
    static final int P50 = 1;
    static final int P99 = 2;
    static final int P999 = 3;
    static final int MAX = 4;
    /** Figures per worker and kind. */
    static final int FIGURES = 5;

    /** Per worker: the version, the waits' figures, the service figures; 16 longs, a 128-byte stretch each. */
    private static final int STRIDE = 16;

    private final AtomicLongArray values;
    private final int workers;

    LatencyFigures(final int workers)
    {
        this.workers = workers;
        values = new AtomicLongArray(workers * STRIDE);
    }

    int workers()
    {
        return workers;
    }

    /**
     * Interval reader (one writer per worker at a time): the figures of the interval just ended.
     *
     * @param wait    {@link #FIGURES} longs: count, p50, p99, p99.9, max of the waits.
     * @param service the same for the times in service.
     */
    void publish(final int worker, final long[] wait, final long[] service)
    {
        final int base = worker * STRIDE;
        final long version = values.get(base);
        values.set(base, version + 1); // odd: being written
        for (int i = 0; i < FIGURES; i++)
        {
            values.set(base + 1 + i, wait[i]);
            values.set(base + 1 + FIGURES + i, service[i]);
        }
        values.set(base, version + 2); // even: one interval's figures, whole
    }

    /**
     * @return how many times this worker's figures were published (an interval ended, or the slot was reset).
     */
    long publications(final int worker)
    {
        return values.get(worker * STRIDE) / 2;
    }

    /**
     * Any thread: copy one worker's figures, both kinds from the same interval.
     *
     * @param wait    receives {@link #FIGURES} longs from {@code at}: count, p50, p99, p99.9, max of the waits.
     * @param service the same for the times in service.
     * @param at      where in each array.
     */
    void read(final int worker, final long[] wait, final long[] service, final int at)
    {
        final int base = worker * STRIDE;
        while (true)
        {
            final long before = values.get(base);
            if (0 == (before & 1))
            {
                for (int i = 0; i < FIGURES; i++)
                {
                    wait[at + i] = values.get(base + 1 + i);
                    service[at + i] = values.get(base + 1 + FIGURES + i);
                }
                if (before == values.get(base))
                {
                    return;
                }
            }
            Thread.onSpinWait();
        }
    }
}
