package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.fulcrum.LogLinearHistogram.BUCKETS;
import static dev.fulcrum.LogLinearHistogram.HIGHEST_VALUE;
import static dev.fulcrum.LogLinearHistogram.highestValue;
import static dev.fulcrum.LogLinearHistogram.index;
import static dev.fulcrum.LogLinearHistogram.lowestValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency histograms' own histogram: where each value goes (checked for every bucket there is), how far a
 * bucket's reported value can be from a value in it, percentiles against a sorted array of the same values,
 * clamping, bad input, reset and add.
 */
class LogLinearHistogramTest
{
    private static final double[] PERCENTILES =
        {0, 0.1, 1, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};

    @Test
    void shouldGiveEveryValueBelow256ABucketOfItsOwn()
    {
        for (int v = 0; v < 2 * LogLinearHistogram.SUB_BUCKETS; v++)
        {
            assertEquals(v, index(v));
            assertEquals(v, lowestValue(v));
            assertEquals(v, highestValue(v));
        }
    }

    @Test
    void shouldPutBucketEdgesWhereTheyAreWorkedOutByHand()
    {
        // 1,000 is in [512, 1024): 128 buckets 4 wide from 512, so its bucket is 1,000..1,003, number 256 + 250
        assertEquals(506, index(1_000));
        assertEquals(506, index(1_003));
        assertEquals(505, index(999));
        assertEquals(507, index(1_004));
        assertEquals(1_000, lowestValue(506));
        assertEquals(1_003, highestValue(506));

        // every power of two from 2^8 starts a bucket 2^(k-7) wide, right after the previous power's last bucket
        for (int k = 8; k <= 41; k++)
        {
            final long power = 1L << k;
            final int at = index(power);
            assertEquals((k - 6) * LogLinearHistogram.SUB_BUCKETS, at, "k=" + k);
            assertEquals(power, lowestValue(at), "k=" + k);
            assertEquals(power + (1L << (k - 7)) - 1, highestValue(at), "k=" + k);
            assertEquals(at - 1, index(power - 1), "k=" + k);
            assertEquals(power - 1, highestValue(at - 1), "k=" + k);
        }

        // one hour: 2^41 <= 3.6e12 < 2^42, buckets 2^34 wide, the last one cut at the hour
        assertEquals(BUCKETS - 1, index(HIGHEST_VALUE));
        assertEquals(34 * 128 + 209 + 1, BUCKETS);
        assertEquals(209L << 34, lowestValue(BUCKETS - 1));
        assertEquals(HIGHEST_VALUE, highestValue(BUCKETS - 1));
    }

    @Test
    void shouldTileTheWholeRangeWithBucketsThatEachValueMapsBackTo()
    {
        long next = 0;
        for (int i = 0; i < BUCKETS; i++)
        {
            final long lowest = lowestValue(i);
            final long highest = highestValue(i);
            assertEquals(next, lowest, "bucket " + i + " starts where the previous one ended");
            assertTrue(highest >= lowest, "bucket " + i);
            assertEquals(i, index(lowest), "bucket " + i + " lowest");
            assertEquals(i, index(highest), "bucket " + i + " highest");
            if (lowest >= LogLinearHistogram.SUB_BUCKETS)
            {
                assertTrue((highest - lowest + 1) * 128 <= lowest, "bucket " + i + " at most 1/128 of its lowest wide");
            }
            next = highest + 1;
        }
        assertEquals(HIGHEST_VALUE + 1, next, "the last bucket ends at the highest value");
    }

    @Test
    void shouldReportEveryValueOfASweepToWithinOneIn128()
    {
        final SplittableRandom random = new SplittableRandom(11);
        long checked = 0;
        for (double v = 1; v <= HIGHEST_VALUE; v *= 1.0007)
        {
            final long value = (long)v + random.nextLong(1 + (long)(v / 100)); // not only the sweep's own points
            if (value > HIGHEST_VALUE)
            {
                break;
            }
            final long reported = highestValue(index(value));
            assertTrue(reported >= value && lowestValue(index(value)) <= value, "value=" + value);
            if (value < LogLinearHistogram.SUB_BUCKETS)
            {
                assertEquals(value, reported, "exact below 128");
            }
            else
            {
                assertTrue((reported - value) * 128 < value, () -> "value=" + value + " reported=" + reported);
            }
            checked++;
        }
        assertTrue(checked > 40_000, "the sweep covered the range: " + checked);
    }

    @Test
    void shouldMatchASortedArrayOfRandomValuesAtEveryPercentile()
    {
        final SplittableRandom random = new SplittableRandom(5);
        for (final int n : new int[]{1, 2, 3, 10, 999, 1_000, 10_007})
        {
            final long[] values = new long[n];
            final LogLinearHistogram histogram = new LogLinearHistogram();
            for (int i = 0; i < n; i++)
            {
                // spread over the range on a log scale, and a run of small exact values
                values[i] = 0 == i % 7 ? random.nextLong(200) : (long)Math.pow(2, random.nextDouble(41.7));
                histogram.record(values[i]);
            }
            final long[] sorted = values.clone();
            Arrays.sort(sorted);
            assertEquals(n, histogram.count());
            assertEquals(sorted[n - 1], histogram.max(), "the max is exact");

            final List<Double> percentiles = new ArrayList<>();
            for (final double p : PERCENTILES)
            {
                percentiles.add(p);
            }
            for (int i = 0; i < 50; i++)
            {
                percentiles.add(random.nextDouble(100));
            }
            for (final double p : percentiles)
            {
                final long truth = sorted[(int)exactRank(p, n) - 1];
                final long expected = Math.min(highestValue(index(truth)), sorted[n - 1]);
                final long got = histogram.valueAtPercentile(p);
                assertEquals(expected, got, () -> "n=" + n + " p=" + p + " true value " + truth);
                assertTrue(got >= truth && (got - truth) * 128 <= truth, "n=" + n + " p=" + p);
            }
            assertEquals(sorted[n - 1], histogram.valueAtPercentile(100), "p100 is the max");
        }
    }

    @Test
    void shouldFindTheRankTheDecimalPercentileMeansDespiteBinaryRounding()
    {
        assertEquals(999, LogLinearHistogram.rank(99.9, 1_000)); // 99.9 * 1000 / 100 is not 999 in doubles
        for (long count = 1; count <= 20_000; count++)
        {
            for (final double p : PERCENTILES)
            {
                assertEquals(exactRank(p, count), LogLinearHistogram.rank(p, count), "p=" + p + " count=" + count);
            }
        }
    }

    @Test
    void shouldClampValuesPastOneHourAndCountThem()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram();
        histogram.record(HIGHEST_VALUE);
        histogram.record(HIGHEST_VALUE + 1);
        histogram.record(Long.MAX_VALUE);
        histogram.record(5);

        assertEquals(4, histogram.count());
        assertEquals(2, histogram.clamped(), "the two past the hour, not the hour itself");
        assertEquals(HIGHEST_VALUE, histogram.max());
        assertEquals(3, histogram.countAt(BUCKETS - 1));
        assertEquals(HIGHEST_VALUE, histogram.valueAtPercentile(50));
        assertEquals(5, histogram.valueAtPercentile(25));
    }

    @Test
    void shouldRefuseANegativeValueAndAPercentileOutOfRangeNamingThem()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram();
        assertMessage("value=-1", assertThrows(IllegalArgumentException.class, () -> histogram.record(-1)));
        assertMessage("value=" + Long.MIN_VALUE,
            assertThrows(IllegalArgumentException.class, () -> histogram.record(Long.MIN_VALUE)));
        assertEquals(0, histogram.count(), "nothing recorded");
        assertEquals(0, histogram.clamped());

        histogram.record(7);
        assertMessage("percentile=-0.1",
            assertThrows(IllegalArgumentException.class, () -> histogram.valueAtPercentile(-0.1)));
        assertMessage("percentile=100.5",
            assertThrows(IllegalArgumentException.class, () -> histogram.valueAtPercentile(100.5)));
        assertMessage("percentile=NaN",
            assertThrows(IllegalArgumentException.class, () -> histogram.valueAtPercentile(Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> histogram.add(histogram));
    }

    @Test
    void shouldReadZeroWhenEmpty()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram();
        assertEquals(0, histogram.count());
        assertEquals(0, histogram.max());
        for (final double p : PERCENTILES)
        {
            assertEquals(0, histogram.valueAtPercentile(p));
        }
        histogram.forEachBucket((lowest, highest, count) ->
        {
            throw new AssertionError("an empty histogram has no bucket to walk");
        });
    }

    @Test
    void shouldAddBucketForBucketAndForgetEverythingOnReset()
    {
        final SplittableRandom random = new SplittableRandom(3);
        final LogLinearHistogram a = new LogLinearHistogram();
        final LogLinearHistogram b = new LogLinearHistogram();
        final LogLinearHistogram both = new LogLinearHistogram();
        for (int i = 0; i < 5_000; i++)
        {
            final long value = random.nextLong(HIGHEST_VALUE + HIGHEST_VALUE / 10); // some past the hour
            (random.nextBoolean() ? a : b).record(value);
            both.record(value);
        }
        final long bCount = b.count();
        a.add(b);
        assertSameCounts("a plus b against all", both, a);
        assertEquals(bCount, b.count(), "the added histogram is unchanged");
        assertTrue(a.clamped() > 0, "the values past the hour were added as clamped");

        a.reset();
        assertEquals(0, a.count());
        assertEquals(0, a.max());
        assertEquals(0, a.clamped());
        for (int i = 0; i < BUCKETS; i++)
        {
            assertEquals(0, a.countAt(i), "bucket " + i);
        }
        a.record(300);
        a.record(300);
        a.record(1_000);
        assertEquals(1_000, a.max(), "a reset histogram records afresh");
        assertEquals(301, a.valueAtPercentile(50), "300 is in the bucket 300..301: its highest is reported");
        assertEquals(1_000, a.valueAtPercentile(100), "1,000..1,003, but never above the max");
    }

    @Test
    void shouldWalkTheNonEmptyBucketsLowestFirst()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram();
        final long[] values = {0, 0, 5, 1_000, 1_003, 1_004, 123_456_789, HIGHEST_VALUE};
        for (final long value : values)
        {
            histogram.record(value);
        }
        final List<long[]> walked = new ArrayList<>();
        histogram.forEachBucket((lowest, highest, count) -> walked.add(new long[]{lowest, highest, count}));

        assertEquals(6, walked.size(), "0, 5, 1,000..1,003, 1,004..1,007, 123,456,789's bucket, the last one");
        assertArrayEquals(new long[]{0, 0, 2}, walked.get(0));
        assertArrayEquals(new long[]{5, 5, 1}, walked.get(1));
        assertArrayEquals(new long[]{1_000, 1_003, 2}, walked.get(2));
        assertArrayEquals(new long[]{1_004, 1_007, 1}, walked.get(3));
        // 2^26 <= 123,456,789 < 2^27: buckets 2^19 = 524,288 wide, its own from 235 x 2^19
        assertArrayEquals(new long[]{235L << 19, (236L << 19) - 1, 1}, walked.get(4));
        assertArrayEquals(new long[]{209L << 34, HIGHEST_VALUE, 1}, walked.get(5));
    }

    private static void assertArrayEquals(final long[] expected, final long[] actual)
    {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual,
            () -> Arrays.toString(expected) + " against " + Arrays.toString(actual));
    }

    /**
     * Same counts, bucket for bucket, and the same count, max and clamped.
     */
    static void assertSameCounts(final String what, final LogLinearHistogram expected, final LogLinearHistogram actual)
    {
        assertEquals(expected.count(), actual.count(), what + ": count");
        assertEquals(expected.max(), actual.max(), what + ": max");
        assertEquals(expected.clamped(), actual.clamped(), what + ": clamped");
        for (int i = 0; i < BUCKETS; i++)
        {
            assertEquals(expected.countAt(i), actual.countAt(i), what + ": bucket " + i);
        }
    }

    /**
     * @return {@code ceil(count * p / 100)}, at least 1, with p read as the decimal it prints as.
     */
    private static long exactRank(final double p, final long count)
    {
        final long rank = new BigDecimal(Double.toString(p)).multiply(BigDecimal.valueOf(count))
            .divide(BigDecimal.valueOf(100)).setScale(0, RoundingMode.CEILING).longValueExact();
        return Math.max(1, rank);
    }

    private static void assertMessage(final String fragment, final Throwable thrown)
    {
        assertTrue(String.valueOf(thrown.getMessage()).contains(fragment),
            () -> "'" + fragment + "' in: " + thrown.getMessage());
    }
}
