package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public copy of one interval: what it says is what the recorder's histogram held when it was taken, bucket for
 * bucket, and later records do not reach it.
 */
class LatencySnapshotTest
{
    @Test
    void shouldHoldTheIntervalAsTheRecorderEndedItAndNotWhatCameAfter()
    {
        final LatencyRecorder recorder = new LatencyRecorder(0, 0);
        final SplittableRandom random = new SplittableRandom(9);
        final LogLinearHistogram expectedWaits = new LogLinearHistogram();
        final LogLinearHistogram expectedServices = new LogLinearHistogram();
        for (int i = 0; i < 2_000; i++)
        {
            final long wait = random.nextLong(10_000_000);
            final long service = (long)Math.pow(2, random.nextDouble(30));
            recorder.record(1_000, 1_000 + wait, 1_000 + wait + service);
            expectedWaits.record(wait);
            expectedServices.record(service);
        }
        recorder.takeInterval();
        final LatencySnapshot waits = recorder.snapshotLatest(false);
        final LatencySnapshot services = recorder.snapshotLatest(true);
        recorder.record(0, 5, 10); // the next interval's, and then the interval after that recycles the pair
        recorder.takeInterval();
        recorder.takeInterval();

        assertMatches(expectedWaits, waits);
        assertMatches(expectedServices, services);
        assertEquals(0, recorder.snapshotLatest(false).count(), "the recorder itself moved on");
    }

    @Test
    void shouldCountTimesPastAnHourAsClamped()
    {
        final LatencyRecorder recorder = new LatencyRecorder(0, 0);
        recorder.record(0, LatencySnapshot.MAX_TRACKED_NANOS + 1, LatencySnapshot.MAX_TRACKED_NANOS + 2);
        recorder.takeInterval();
        final LatencySnapshot waits = recorder.snapshotLatest(false);

        assertEquals(1, waits.clampedCount());
        assertEquals(LatencySnapshot.MAX_TRACKED_NANOS, waits.maxNanos());
        assertEquals(LatencySnapshot.MAX_TRACKED_NANOS, waits.bucketHighestNanos(0));
        assertEquals(0, recorder.snapshotLatest(true).clampedCount(), "the 1 ns in service was not");
    }

    @Test
    void shouldRefuseABucketOutOfRangeNamingIt()
    {
        final LogLinearHistogram histogram = new LogLinearHistogram();
        histogram.record(3);
        final LatencySnapshot snapshot = new LatencySnapshot(histogram);
        assertEquals(1, snapshot.buckets());
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> snapshot.bucketCount(1)).getMessage()
            .contains("bucket=1"));
        assertTrue(assertThrows(IndexOutOfBoundsException.class, () -> snapshot.bucketLowestNanos(-1)).getMessage()
            .contains("bucket=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> snapshot.nanosAtPercentile(101)).getMessage()
            .contains("percentile=101.0"));
        assertTrue(snapshot.toString().contains("count=1"), snapshot::toString);
    }

    private static void assertMatches(final LogLinearHistogram expected, final LatencySnapshot snapshot)
    {
        assertEquals(expected.count(), snapshot.count());
        assertEquals(expected.max(), snapshot.maxNanos());
        assertEquals(expected.clamped(), snapshot.clampedCount());
        for (final double p : new double[]{0, 1, 50, 90, 99, 99.9, 100})
        {
            assertEquals(expected.valueAtPercentile(p), snapshot.nanosAtPercentile(p), "p=" + p);
        }
        final List<long[]> buckets = new ArrayList<>();
        expected.forEachBucket((lowest, highest, count) -> buckets.add(new long[]{lowest, highest, count}));
        assertEquals(buckets.size(), snapshot.buckets());
        long total = 0;
        for (int b = 0; b < snapshot.buckets(); b++)
        {
            assertEquals(buckets.get(b)[0], snapshot.bucketLowestNanos(b), "bucket " + b);
            assertEquals(buckets.get(b)[1], snapshot.bucketHighestNanos(b), "bucket " + b);
            assertEquals(buckets.get(b)[2], snapshot.bucketCount(b), "bucket " + b);
            total += snapshot.bucketCount(b);
        }
        assertEquals(snapshot.count(), total, "the buckets hold every request");
    }
}
