package dev.fulcrum;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The published latency figures: per worker and per kind ({@link #WAIT}, {@link #SERVICE}), the last completed
 * interval's request count, p50, p99, p99.9 and max, in nanoseconds. {@link #publish} is the one way in, called by
 * the interval reader after each interval (and with zeros when a slot is reused); whatever else should show these
 * figures (a counters file, a metrics registry) is fed from there.
 * <p>
 * One writer per worker at a time (the interval reader, under that worker's {@link LatencyRecorder} lock); any
 * thread reads. Each worker's kind is a seqlock, so a reader gets the five figures of one interval, never p50 of
 * one and p99 of the next. Once per interval per worker, so every access is volatile: simple, and off the hot path.
 */
final class LatencyFigures
{
    /** Submit to the start of the task: the ring, the balancer, the worker's queue. */
    static final int WAIT = 0;
    /** Start to end of the task, the reply excluded. */
    static final int SERVICE = 1;

    static final int COUNT = 0;
    static final int P50 = 1;
    static final int P99 = 2;
    static final int P999 = 3;
    static final int MAX = 4;
    /** Figures per worker and kind. */
    static final int FIGURES = 5;

    /** Version, then the figures; 8 longs, so each worker's two kinds fill one 128-byte stretch. */
    private static final int STRIDE = 8;

    private final AtomicLongArray values;
    private final int workers;

    LatencyFigures(final int workers)
    {
        this.workers = workers;
        values = new AtomicLongArray(workers * 2 * STRIDE);
    }

    int workers()
    {
        return workers;
    }

    /**
     * Interval reader (one writer per worker at a time): the figures of the interval just ended.
     */
    void publish(
        final int worker, final int kind, final long count, final long p50, final long p99, final long p999,
        final long max)
    {
        final int base = (worker * 2 + kind) * STRIDE;
        final long version = values.get(base);
        values.set(base, version + 1); // odd: being written
        values.set(base + 1 + COUNT, count);
        values.set(base + 1 + P50, p50);
        values.set(base + 1 + P99, p99);
        values.set(base + 1 + P999, p999);
        values.set(base + 1 + MAX, max);
        values.set(base, version + 2); // even: one interval's figures, whole
    }

    /**
     * @return how many times this worker's figures of this kind were published (an interval ended, or the slot was
     * reset).
     */
    long publications(final int worker, final int kind)
    {
        return values.get((worker * 2 + kind) * STRIDE) / 2;
    }

    /**
     * Any thread: copy one worker's figures of one kind, all from the same interval.
     *
     * @param into  receives {@link #FIGURES} longs from {@code at}: count, p50, p99, p99.9, max.
     * @param at    where in {@code into}.
     */
    void read(final int worker, final int kind, final long[] into, final int at)
    {
        final int base = (worker * 2 + kind) * STRIDE;
        while (true)
        {
            final long before = values.get(base);
            if (0 == (before & 1))
            {
                for (int i = 0; i < FIGURES; i++)
                {
                    into[at + i] = values.get(base + 1 + i);
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
