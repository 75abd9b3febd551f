package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latency histograms with the engine's own threads: in each mode that runs the balancer itself (SHARED hands
 * worker 0 its job on the balancer's thread, without a queue), with the watchdog ending the intervals, and with
 * stall detection off, when a thread of their own does. Requests keep coming while the test waits for a published
 * interval, so every interval it may read has some; it asserts floors only.
 */
class LatencyThreadsTest
{
    private static final long SPIN_NS = TimeUnit.MICROSECONDS.toNanos(200);

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    @Timeout(60)
    void shouldPublishIntervalsFromTheWatchdogInEachMode(final ThreadingMode mode)
    {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        try (Balancer<Long, Long> balancer = builder(threads).threadingMode(mode).build())
        {
            awaitPublished(balancer);
            assertTrue(threads.stream().noneMatch(t -> "fulcrum-latency".equals(t.getName())),
                "the watchdog ends the intervals: no thread of their own");
        }
    }

    @Test
    @Timeout(60)
    void shouldEndIntervalsOnAThreadOfTheirOwnWhenStallDetectionIsOff() throws InterruptedException
    {
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        try (Balancer<Long, Long> balancer = builder(threads).stallThreshold(Duration.ZERO).build())
        {
            awaitPublished(balancer);
            assertTrue(threads.stream().anyMatch(t -> "fulcrum-latency".equals(t.getName())), threads::toString);
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), thread.getName() + " ended with the close");
        }
    }

    private static BalancerBuilder<Long, Long> builder(final List<Thread> threads)
    {
        return Balancer.builder(LatencyThreadsTest::spin)
            .workers(2)
            .latencyHistograms(true)
            .latencyInterval(Duration.ofMillis(50))
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .threadFactory(EngineTestSupport.recordingDaemons(threads));
    }

    /**
     * Submit until some worker's published interval counts requests, then check its floors.
     */
    private static void awaitPublished(final Balancer<Long, Long> balancer)
    {
        final AtomicLong replies = new AtomicLong();
        final Reply<Long, Long> reply = Reply.of((q, r) -> replies.incrementAndGet(), (q, e) -> { });
        final BalancerStats[] seen = {null};
        final int[] worker = {-1};
        Await.until(() ->
        {
            balancer.submit(SPIN_NS, reply);
            final BalancerStats stats = balancer.stats();
            for (int w = 0; w < stats.workers(); w++)
            {
                if (stats.latencyCount(w) > 0)
                {
                    seen[0] = stats;
                    worker[0] = w;
                    return true;
                }
            }
            return false;
        }, () -> "no interval published; replies=" + replies.get() + " " + balancer.stats());

        final BalancerStats stats = seen[0];
        final int w = worker[0];
        assertTrue(stats.serviceNanos(w, 50) >= SPIN_NS, () -> "service p50 " + stats.serviceNanos(w, 50));
        assertTrue(stats.serviceMaxNanos(w) >= stats.serviceNanos(w, 99.9));
        assertTrue(stats.waitMaxNanos(w) >= stats.waitNanos(w, 50));
    }

    private static Long spin(final Long ns)
    {
        final long start = System.nanoTime();
        while (System.nanoTime() - start < ns)
        {
            Thread.onSpinWait();
        }
        return ns;
    }
}
