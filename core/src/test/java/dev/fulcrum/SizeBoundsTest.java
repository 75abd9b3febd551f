package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 8: every size has an upper bound, checked with overflow-safe arithmetic before anything is
 * allocated or started, and refused with {@link IllegalArgumentException} naming the parameter and its value (not
 * another parameter, not an {@link OutOfMemoryError}, not minutes of starting threads). No thread is made for a
 * refused build: the thread factory counts.
 */
class SizeBoundsTest
{
    private static final Task<Integer, Integer> ECHO = q -> q;

    private final AtomicInteger threadsMade = new AtomicInteger();
    private final ThreadFactory counting = r ->
    {
        threadsMade.incrementAndGet();
        final Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    };

    @Test
    @Timeout(30)
    void shouldNameTheSettingAndItsValueWhenASizeIsPastItsBound()
    {
        refused(() -> builder().maxParked(Integer.MAX_VALUE), "maxParked", "maxParked=2147483647");
        refused(() -> builder().maxPendingPerWorker((1 << 30) | 1), "maxPendingPerWorker=1073741825");
        refused(() -> builder().maxPendingPerWorker(Integer.MAX_VALUE), "maxPendingPerWorker=2147483647");
        refused(() -> builder().ringSize(1 << 30), "ringSize=1073741824");
        refused(() -> builder().ringSize(Integer.MIN_VALUE), "ringSize=-2147483648");
        refused(() -> builder().workerQueueCapacity(1 << 30), "workerQueueCapacity=1073741824");
        refused(() -> builder().workers(10_000), "workers=10000");
        refused(() -> builder().workers(BalancerBuilder.MAX_WORKERS + 1), "workers=" + (BalancerBuilder.MAX_WORKERS + 1));
        refused(() -> builder().maxParkedPerKey(0), "maxParkedPerKey=0");
        refused(() -> builder().maxParkedPerKey(Integer.MAX_VALUE), "maxParkedPerKey=2147483647");
        assertEquals(0, threadsMade.get(), "no thread was made");
    }

    @Test
    @Timeout(30)
    void shouldAcceptEachSizeAtItsBound()
    {
        builder()
            .workers(BalancerBuilder.MAX_WORKERS)
            .ringSize(BalancerBuilder.MAX_RING_SIZE)
            .maxPendingPerWorker(BalancerBuilder.MAX_PENDING_PER_WORKER)
            .workerQueueCapacity(BalancerBuilder.MAX_WORKER_QUEUE_CAPACITY)
            .maxParked(BalancerBuilder.MAX_PARKED)
            .maxParkedPerKey(BalancerBuilder.MAX_PARKED);
        assertEquals(0, threadsMade.get(), "setters start nothing");
    }

    @Test
    @Timeout(30)
    void shouldRefuseCombinationsWhoseProductOverflowsBeforeStartingAnything()
    {
        // 1024 x 65536 x 2 jobs: past MAX_JOBS, and 2^31 if multiplied in int. Per-worker sizes are allocated for
        // maxWorkers, which defaults to workers, so the message may name either: "orkers=" matches both.
        refused(() -> builder().workers(1024).maxPendingPerWorker(65_536).build(),
            "orkers=1024", "maxPendingPerWorker=65536");
        refused(() -> builder().workers(64).maxPendingPerWorker(65_536).maxParked(BalancerBuilder.MAX_PARKED).build(),
            "orkers=64", "maxPendingPerWorker=65536", "maxParked=" + BalancerBuilder.MAX_PARKED);
        // 1024 x 2^20 queue slots = 2^30
        refused(() -> builder().workers(1024).maxPendingPerWorker(1).workerQueueCapacity(1 << 20).build(),
            "orkers=1024", "workerQueueCapacity=1048576");
        refused(() -> builder().maxPendingPerWorker(65_536).workerQueueCapacity(1 << 15).build(),
            "maxPendingPerWorker=65536", "workerQueueCapacity=32768");
        refused(() -> builder().maxParked(4).maxParkedPerKey(5).build(), "maxParkedPerKey=5", "maxParked=4");
        assertEquals(0, threadsMade.get(), "no thread was made for a refused build");
    }

    @Test
    @Timeout(30)
    void shouldNameTheWorkerAndTheRangeWhenStatsAreAskedForAWorkerThatDoesNotExist()
    {
        try (Balancer<Integer, Integer> balancer = builder().workers(1).build())
        {
            final BalancerStats stats = balancer.stats();
            for (final Executable call : new Executable[] {
                () -> stats.pending(5), () -> stats.completed(5), () -> stats.stalls(5),
                () -> stats.moved(5), () -> stats.stalled(5), () -> stats.interruptsCleared(5)})
            {
                final Throwable thrown = assertThrows(IndexOutOfBoundsException.class, call);
                assertContains(thrown, "worker=5", "0 to 0");
            }
            assertContains(assertThrows(IndexOutOfBoundsException.class, () -> stats.pending(-1)), "worker=-1");
        }
    }

    @Test
    @Timeout(30)
    void shouldNameTheValueWhenTheStallThresholdIsOutOfRange()
    {
        refused(() -> builder().stallThreshold(Duration.ofNanos(1)), "stallThreshold=PT0.000000001S");
        refused(() -> builder().stallThreshold(Duration.ofNanos(999_999)), "stallThreshold=PT0.000999999S");
        refused(() -> builder().stallThreshold(Duration.ofMillis(-5)), "stallThreshold=PT-0.005S");
        refused(() -> builder().stallThreshold(Duration.ofDays(2)), "stallThreshold=PT48H");
        refused(() -> builder().stallThreshold(Duration.ofSeconds(Long.MAX_VALUE)), "stallThreshold=PT");
        final Throwable npe = assertThrows(NullPointerException.class, () -> builder().stallThreshold(null));
        assertContains(npe, "stallThreshold=null");

        builder().stallThreshold(Duration.ZERO).stallThreshold(BalancerBuilder.MIN_STALL_THRESHOLD)
            .stallThreshold(Duration.ofDays(1));
        assertEquals(0, threadsMade.get());
    }

    @Test
    @Timeout(30)
    void shouldStartNoWatchdogWhenStallDetectionIsOff()
    {
        builder().workers(2).stallThreshold(Duration.ZERO).build().close();
        assertEquals(3, threadsMade.get(), "balancer and two workers, no watchdog");
        threadsMade.set(0);
        builder().workers(2).build().close();
        assertEquals(4, threadsMade.get(), "balancer, two workers and the watchdog");
    }

    @Test
    @Timeout(30)
    void shouldNameTheParameterWhenCloseOrTimedSubmitGetsNull() throws Exception
    {
        try (Balancer<Integer, Integer> balancer = builder().build())
        {
            assertContains(assertThrows(NullPointerException.class, () -> balancer.close(null)), "timeout=null");
            assertContains(assertThrows(NullPointerException.class,
                () -> balancer.trySubmit(1, new Recorder<>(), 1, null)), "unit=null");
            assertEquals(3, balancer.submit(3).get(10, TimeUnit.SECONDS), "still open and working");
        }
    }

    private BalancerBuilder<Integer, Integer> builder()
    {
        return Balancer.builder(ECHO).threadFactory(counting);
    }

    private static void refused(final Executable call, final String... fragments)
    {
        assertContains(assertThrows(IllegalArgumentException.class, call), fragments);
    }

    private static void assertContains(final Throwable thrown, final String... fragments)
    {
        for (final String fragment : fragments)
        {
            assertTrue(thrown.getMessage().contains(fragment),
                () -> "message should contain '" + fragment + "': " + thrown.getMessage());
        }
    }
}
