package dev.fulcrum;

/**
 * One worker's whole latency distribution of one kind (the waits, or the times in service) over one completed
 * latency interval: a copy, from {@link BalancerStats#waitHistogram(int)} or
 * {@link BalancerStats#serviceHistogram(int)}, for a caller who wants more than the percentiles the engine
 * publishes. Immutable, so any thread may read it; it is allocated only when asked for, on the asking thread.
 * <p>
 * Values are nanoseconds from 0 to one hour, in buckets: below 128 ns one bucket per nanosecond, above that each
 * power of two ({@code [2^k, 2^(k+1))}) split into 128 equal buckets, so a bucket is at most 1/128 (0.79%) of its
 * lowest value wide. A time longer than an hour was recorded as one hour and is counted in {@link #clampedCount()}.
 * Walk the non-empty buckets, lowest first, by index:
 * <pre>{@code
 * LatencySnapshot waits = balancer.stats().waitHistogram(0);
 * for (int b = 0; b < waits.buckets(); b++)
 * {
 *     print(waits.bucketLowestNanos(b), waits.bucketHighestNanos(b), waits.bucketCount(b));
 * }
 * }</pre>
 */
public final class LatencySnapshot
{
    /** The longest time told apart, one hour in nanoseconds; a longer one was recorded as this. */
    public static final long MAX_TRACKED_NANOS = LogLinearHistogram.HIGHEST_VALUE;

    /** A copy no one else holds, never written after construction. */
    private final LogLinearHistogram histogram;
    /** The indices of the non-empty buckets, ascending. */
    private final int[] nonEmpty;

    /**
     * @param copy a histogram the caller hands over and never touches again.
     */
    LatencySnapshot(final LogLinearHistogram copy)
    {
        histogram = copy;
        int n = 0;
        for (int i = 0; i < LogLinearHistogram.BUCKETS; i++)
        {
            if (0 != copy.countAt(i))
            {
                n++;
            }
        }
        nonEmpty = new int[n];
        int at = 0;
        for (int i = 0; i < LogLinearHistogram.BUCKETS; i++)
        {
            if (0 != copy.countAt(i))
            {
                nonEmpty[at++] = i;
            }
        }
    }

    /**
     * @return requests the interval counts.
     */
    public long count()
    {
        return histogram.count();
    }

    /**
     * @return the longest time of the interval, in nanoseconds, exactly as measured (at most
     * {@link #MAX_TRACKED_NANOS}); 0 when the interval counts nothing.
     */
    public long maxNanos()
    {
        return histogram.max();
    }

    /**
     * @return requests whose time was longer than {@link #MAX_TRACKED_NANOS} and was recorded as that.
     */
    public long clampedCount()
    {
        return histogram.clamped();
    }

    /**
     * The time at or below which {@code percentile}% of the interval's requests fall, in nanoseconds. Rounding: of
     * the times in order, the one at rank {@code ceil(count * percentile / 100)} (at least 1) is found, and the
     * highest value of its bucket is returned, or {@link #maxNanos()} when that is lower. So the result is never
     * below the true time, never above the max, and above the true time by less than 1/128 of it; below 128 ns it is
     * exact. The same figures {@link BalancerStats#waitNanos(int, double)} publishes for 50, 99, 99.9 and 100.
     *
     * @param percentile from 0 to 100; 100 gives the max.
     * @return that time; 0 when the interval counts nothing.
     * @throws IllegalArgumentException for a percentile outside 0 to 100, or NaN.
     */
    public long nanosAtPercentile(final double percentile)
    {
        return histogram.valueAtPercentile(percentile);
    }

    /**
     * @return the non-empty buckets, numbered from 0 in ascending order of time for the {@code bucket*} accessors.
     */
    public int buckets()
    {
        return nonEmpty.length;
    }

    /**
     * @param bucket a non-empty bucket, from 0 to {@code buckets() - 1}.
     * @return the shortest time the bucket holds, in nanoseconds.
     */
    public long bucketLowestNanos(final int bucket)
    {
        return LogLinearHistogram.lowestValue(nonEmpty[check(bucket)]);
    }

    /**
     * @param bucket a non-empty bucket, from 0 to {@code buckets() - 1}.
     * @return the longest time the bucket holds, in nanoseconds (its lowest, below 128 ns).
     */
    public long bucketHighestNanos(final int bucket)
    {
        return LogLinearHistogram.highestValue(nonEmpty[check(bucket)]);
    }

    /**
     * @param bucket a non-empty bucket, from 0 to {@code buckets() - 1}.
     * @return requests whose time fell in the bucket, at least 1.
     */
    public long bucketCount(final int bucket)
    {
        return histogram.countAt(nonEmpty[check(bucket)]);
    }

    private int check(final int bucket)
    {
        if (bucket < 0 || bucket >= nonEmpty.length)
        {
            throw new IndexOutOfBoundsException("bucket must be 0 to " + (nonEmpty.length - 1) +
                " (buckets=" + nonEmpty.length + "): bucket=" + bucket);
        }
        return bucket;
    }

    @Override
    public String toString()
    {
        return "LatencySnapshot{count=" + count() + ", p50Nanos=" + nanosAtPercentile(50) + ", p99Nanos=" +
            nanosAtPercentile(99) + ", maxNanos=" + maxNanos() + ", clamped=" + clampedCount() + ", buckets=" +
            buckets() + '}';
    }
}
