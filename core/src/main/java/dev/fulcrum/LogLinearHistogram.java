package dev.fulcrum;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A histogram of non-negative values (nanoseconds, for the latency histograms) from 0 to {@link #HIGHEST_VALUE}
 * (1 hour) in log-linear buckets: values below {@link #SUB_BUCKETS} each have a bucket of their own, and above,
 * every power-of-two range {@code [2^k, 2^(k+1))} is split into {@link #SUB_BUCKETS} equal buckets
 * {@code 2^(k - SUB_BUCKET_BITS)} wide. So a bucket is never wider than 1/128 of its lowest value: any value is
 * known to within 0.79%, about two significant digits. Larger values are recorded as {@link #HIGHEST_VALUE} and
 * counted in {@link #clamped()}.
 * <p>
 * One {@code long[]} of {@link #BUCKETS} counts (about 36 KB), allocated at construction; nothing after.
 * {@link #record(long)} finds the bucket with one {@link Long#numberOfLeadingZeros(long)}, a shift and an add (no
 * loop, no division) and increments plain fields.
 * <p>
 * Not thread-safe: one writer, and readers that the writer's owner publishes it to ({@link LatencyRecorder}'s
 * epoch hand-off does that for the latency histograms).
 */
final class LogLinearHistogram
{
    /** Bits of sub-bucket index per power of two: 2^-7 = 1/128, the smallest power of two at most 1%. */
    static final int SUB_BUCKET_BITS = 7;
    /** Buckets per power of two, and the values below which every value has a bucket of its own. */
    static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** The highest value told apart (1 hour in nanoseconds); a larger value is recorded as this. */
    static final long HIGHEST_VALUE = TimeUnit.HOURS.toNanos(1);
    /** Buckets from 0 to {@link #HIGHEST_VALUE}, both included. */
    static final int BUCKETS = index(HIGHEST_VALUE) + 1;

    /**
     * What {@link #forEachBucket} hands each non-empty bucket.
     */
    @FunctionalInterface
    interface BucketConsumer
    {
        /**
         * @param lowest  the lowest value the bucket holds.
         * @param highest the highest value it holds (its lowest when the bucket is one value wide).
         * @param count   values recorded in it, at least 1.
         */
        void accept(long lowest, long highest, long count);
    }

    private final long[] counts = new long[BUCKETS];
    private long count;
    private long max;
    private long clamped;

    /**
     * The bucket of a value: below {@link #SUB_BUCKETS} the value itself; above, {@code shift} is how far the value
     * must move right to keep its top {@code SUB_BUCKET_BITS + 1} bits, and each shift owns {@link #SUB_BUCKETS}
     * indices after the previous one's.
     *
     * @param value from 0 to {@link #HIGHEST_VALUE}.
     * @return its bucket, from 0 to {@code BUCKETS - 1}.
     */
    static int index(final long value)
    {
        final int shift = Math.max(0, 63 - SUB_BUCKET_BITS - Long.numberOfLeadingZeros(value));
        return (int)(((long)shift << SUB_BUCKET_BITS) + (value >>> shift));
    }

    /**
     * @param index a bucket, from 0 to {@code BUCKETS - 1}.
     * @return the lowest value recorded into it.
     */
    static long lowestValue(final int index)
    {
        final int shift = Math.max(0, (index >>> SUB_BUCKET_BITS) - 1);
        return (long)(index - (shift << SUB_BUCKET_BITS)) << shift;
    }

    /**
     * @param index a bucket, from 0 to {@code BUCKETS - 1}.
     * @return the highest value recorded into it: {@link #HIGHEST_VALUE} for the last bucket, which would reach
     * past it (0.2%) but never holds a larger value.
     */
    static long highestValue(final int index)
    {
        final int shift = Math.max(0, (index >>> SUB_BUCKET_BITS) - 1);
        return Math.min(HIGHEST_VALUE, lowestValue(index) + (1L << shift) - 1);
    }

    /**
     * The single writer: count one value.
     *
     * @param value 0 or more; above {@link #HIGHEST_VALUE} it is recorded as that and counted as clamped.
     * @throws IllegalArgumentException for a negative value.
     */
    void record(final long value)
    {
        // unsigned: one predictable branch for both a negative value and one past the range
        final long inRange = Long.compareUnsigned(value, HIGHEST_VALUE) <= 0 ? value : outOfRange(value);
        counts[index(inRange)]++;
        count++;
        max = Math.max(max, inRange);
    }

    private long outOfRange(final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("value must be 0 or more: value=" + value);
        }
        clamped++;
        return HIGHEST_VALUE;
    }

    /**
     * Forget every value.
     */
    void reset()
    {
        Arrays.fill(counts, 0);
        count = 0;
        max = 0;
        clamped = 0;
    }

    /**
     * Add every value of another histogram to this one; {@code other} is unchanged.
     *
     * @param other read only; may be this histogram's copy, never this histogram itself.
     */
    void add(final LogLinearHistogram other)
    {
        if (this == other)
        {
            throw new IllegalArgumentException("a histogram cannot add itself");
        }
        final long[] from = other.counts;
        for (int i = 0; i < BUCKETS; i++)
        {
            counts[i] += from[i];
        }
        count += other.count;
        max = Math.max(max, other.max);
        clamped += other.clamped;
    }

    /**
     * @return values recorded.
     */
    long count()
    {
        return count;
    }

    /**
     * @return the largest value recorded, exactly (after clamping); 0 when none was.
     */
    long max()
    {
        return max;
    }

    /**
     * @return values recorded that were larger than {@link #HIGHEST_VALUE}, and recorded as it.
     */
    long clamped()
    {
        return clamped;
    }

    /**
     * @param index a bucket, from 0 to {@code BUCKETS - 1}.
     * @return values recorded in it.
     */
    long countAt(final int index)
    {
        return counts[index];
    }

    /**
     * The value at or below which {@code percentile}% of the values fall. Take the values in order and the one at
     * rank {@code ceil(count * percentile / 100)} (at least 1): this returns the highest value of its bucket, or
     * the max when that is lower. So the result is never below the true value, never above the max, and above the
     * true value by less than 1/128 of it (0.79%); values below 128 are exact.
     *
     * @param percentile from 0 to 100; 0 gives the smallest value's bucket, 100 the max.
     * @return that value; 0 when nothing was recorded.
     * @throws IllegalArgumentException for a percentile outside 0 to 100, or NaN.
     */
    long valueAtPercentile(final double percentile)
    {
        if (!(percentile >= 0.0 && percentile <= 100.0))
        {
            throw new IllegalArgumentException("percentile must be from 0 to 100: percentile=" + percentile);
        }
        if (0 == count)
        {
            return 0;
        }
        final long rank = rank(percentile, count);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.min(highestValue(i), max);
            }
        }
        return max; // only if count disagrees with the buckets, which a single writer never leaves behind
    }

    /**
     * @return the rank, from 1 to {@code count}, of the value at {@code percentile}.
     */
    static long rank(final double percentile, final long count)
    {
        // a percentile such as 99.9 has no exact double, so the product can land an ulp or two above the whole
        // number it stands for (999.0000000000001 for 1,000 values) and ceil would take the next rank: forgive a
        // few ulps, far below any percentile anyone asks for
        final double exact = percentile * count / 100.0;
        final long rank = (long)Math.ceil(exact - 4 * Math.ulp(exact));
        return Math.max(1, Math.min(count, rank));
    }

    /**
     * Every non-empty bucket, lowest first.
     *
     * @param consumer called once per non-empty bucket, on this thread.
     */
    void forEachBucket(final BucketConsumer consumer)
    {
        for (int i = 0; i < BUCKETS; i++)
        {
            final long n = counts[i];
            if (0 != n)
            {
                consumer.accept(lowestValue(i), highestValue(i), n);
            }
        }
    }
}
