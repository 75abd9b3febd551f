package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The recorder's hand-off between its one writer (a worker) and its one interval reader, with real threads racing:
 * the writer records a known sequence of requests as fast as it can while the reader ends intervals as fast as it
 * can. Checked on every interval: both histograms count the same requests (the pair is swapped as one), and each
 * histogram's total equals the sum of its buckets (no record torn by a reset). At the end, all the intervals added
 * up equal, bucket for bucket, what a plain single-threaded histogram of the same values holds: nothing lost,
 * nothing counted twice. The writer stops once the reader has ended 10,000 intervals, or at 20 times
 * {@code -Dfulcrum.stress.requests} (default 1,000,000) requests.
 */
class LatencyRecorderStressTest
{
    /** The reader ends this many intervals while the writer writes, unless the writer reaches its cap first. */
    private static final int INTERVALS = 10_000;
    private static final int MAX_REQUESTS = Integer.getInteger("fulcrum.stress.requests", 1_000_000) * 20;

    @Test
    @Timeout(120)
    void shouldLoseNoValueAndCountNoneTwiceWhileIntervalsEndUnderTheWriter() throws Exception
    {
        final LatencyRecorder recorder = new LatencyRecorder(0, 0);
        final AtomicInteger intervals = new AtomicInteger();
        final AtomicInteger written = new AtomicInteger();
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread writer = new Thread(() ->
        {
            try
            {
                int i = 0;
                while (i < MAX_REQUESTS && intervals.get() < INTERVALS)
                {
                    recorder.record(0, waitOf(i), waitOf(i) + serviceOf(i));
                    i++;
                }
                written.set(i);
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
            finally
            {
                writing.set(false);
            }
        }, "stress-writer");

        final LogLinearHistogram waits = new LogLinearHistogram();
        final LogLinearHistogram services = new LogLinearHistogram();
        writer.start();
        while (writing.get())
        {
            add(recorder.takeInterval(), waits, services);
            intervals.incrementAndGet();
        }
        writer.join();
        add(recorder.takeInterval(), waits, services); // what the writer recorded after the last interval

        if (null != failure.get())
        {
            throw new AssertionError("the writer failed", failure.get());
        }
        final int requests = written.get();
        final LogLinearHistogram expectedWaits = new LogLinearHistogram();
        final LogLinearHistogram expectedServices = new LogLinearHistogram();
        for (int i = 0; i < requests; i++)
        {
            expectedWaits.record(waitOf(i));
            expectedServices.record(serviceOf(i));
        }
        System.out.println("LatencyRecorderStressTest: " + requests + " requests over " + intervals.get() +
            " intervals");
        assertEquals(requests, waits.count(), "every wait counted once");
        assertEquals(requests, bucketSum(waits), "every wait in a bucket once");
        LogLinearHistogramTest.assertSameCounts("the waits, bucket for bucket", expectedWaits, waits);
        LogLinearHistogramTest.assertSameCounts("the times in service, bucket for bucket", expectedServices, services);
    }

    private static long waitOf(final int i)
    {
        return 1 + (i % 1_000) * 97L;
    }

    private static long serviceOf(final int i)
    {
        return 1 + (i % 777) * 1_013L;
    }

    private static void add(
        final LatencyRecorder.Pair interval, final LogLinearHistogram waits, final LogLinearHistogram services)
    {
        assertEquals(interval.wait.count(), interval.service.count(),
            "both histograms of an interval count the same requests");
        assertEquals(interval.wait.count(), bucketSum(interval.wait), "wait total against its buckets");
        assertEquals(interval.service.count(), bucketSum(interval.service), "service total against its buckets");
        waits.add(interval.wait);
        services.add(interval.service);
    }

    /**
     * @return the sum of the histogram's buckets, whatever its count says.
     */
    private static long bucketSum(final LogLinearHistogram histogram)
    {
        long sum = 0;
        for (int i = 0; i < LogLinearHistogram.BUCKETS; i++)
        {
            sum += histogram.countAt(i);
        }
        return sum;
    }
}
