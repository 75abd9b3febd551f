package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The latency histograms, stepped: the balancer, the worker and the watchdog (which ends the latency intervals, on a
 * hand-moved clock) run on the test thread, so each request's order is exact. The tasks spin for a fixed time, so
 * what each request took has a floor the published figures must reach; no upper bound is asserted.
 */
class LatencyHistogramsTest
{
    private static final long LONG_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long SHORT_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long INTERVAL_MS = 1_000;

    private final ManualClock clock = new ManualClock();
    private final Recorder<Long, Long> reply = new Recorder<>();
    private Balancer<Long, Long> balancer;

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close();
        }
    }

    /**
     * The task: spin for as many nanoseconds as the request says.
     */
    private static Long spin(final Long ns)
    {
        final long start = System.nanoTime();
        while (System.nanoTime() - start < ns)
        {
            Thread.onSpinWait();
        }
        return ns;
    }

    private BalancerBuilder<Long, Long> stepped(final int workers)
    {
        return Balancer.builder(LatencyHistogramsTest::spin)
            .workers(workers)
            .maxPendingPerWorker(4)
            .ringSize(16)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .stallThreshold(Duration.ofDays(1)) // the clock moves by whole intervals: never a stall
            .latencyInterval(Duration.ofMillis(INTERVAL_MS));
    }

    private void endInterval()
    {
        clock.advanceMs(INTERVAL_MS);
        balancer.watchdogInvoker().invoke();
    }

    @Test
    @Timeout(60)
    void shouldPublishWhatEachRequestWaitedAndRanWhenHistogramsAreOn()
    {
        balancer = stepped(1).latencyHistograms(true).build();
        assertTrue(balancer.trySubmit(LONG_NS, reply));
        assertTrue(balancer.trySubmit(SHORT_NS, reply));
        assertNotEquals(0, balancer.balancerAgent().ring.get(0).submitNs, "the submit was stamped");

        balancer.invoker().invoke();        // both into worker 0's queue
        balancer.workerInvoker(0).invoke(); // the long one, then the short one that waited behind it
        assertEquals(2, reply.results.size());
        assertEquals(0, balancer.stats().latencyCount(0), "nothing is published before the interval ends");

        endInterval();
        final BalancerStats stats = balancer.stats();
        assertTrue(stats.latencyHistograms());
        assertEquals(2, stats.latencyCount(0));
        assertTrue(stats.serviceNanos(0, 50) >= SHORT_NS, () -> "service p50 " + stats.serviceNanos(0, 50));
        assertTrue(stats.serviceMaxNanos(0) >= LONG_NS, () -> "service max " + stats.serviceMaxNanos(0));
        assertTrue(stats.waitMaxNanos(0) >= stats.serviceMaxNanos(0),
            () -> "the short one waited the long one's whole service: wait max " + stats.waitMaxNanos(0) +
                ", service max " + stats.serviceMaxNanos(0));
        assertOrdered(stats, 0);

        final LatencySnapshot service = stats.serviceHistogram(0);
        assertEquals(2, service.count(), "the copy is the same interval");
        assertSamePercentiles(stats, service, true);
        final LatencySnapshot waits = stats.waitHistogram(0);
        assertEquals(2, waits.count());
        assertSamePercentiles(stats, waits, false);
        assertTrue(waits.bucketLowestNanos(waits.buckets() - 1) <= waits.maxNanos() &&
            waits.maxNanos() <= waits.bucketHighestNanos(waits.buckets() - 1), waits::toString);

        endInterval();
        final BalancerStats idle = balancer.stats();
        assertEquals(0, idle.latencyCount(0), "an interval in which nothing ran");
        assertEquals(0, idle.serviceMaxNanos(0));
        assertEquals(0, idle.waitNanos(0, 99.9));
        assertEquals(0, idle.serviceHistogram(0).count());
        assertEquals(0, idle.serviceHistogram(0).buckets());
        assertEquals(0, idle.waitHistogram(0).nanosAtPercentile(99));
        assertEquals(2, service.count(), "a snapshot taken before stays as it was");
    }

    @Test
    @Timeout(60)
    void shouldStampABatchOnceWhenItIsSubmittedTogether()
    {
        balancer = stepped(1).latencyHistograms(true).build();
        final long before = System.nanoTime();
        assertTrue(balancer.trySubmitAll(List.of(SHORT_NS, SHORT_NS, SHORT_NS), reply));
        final long stamp = balancer.balancerAgent().ring.get(0).submitNs;
        assertTrue(stamp - before >= 0, "stamped as the slots were filled");
        assertEquals(stamp, balancer.balancerAgent().ring.get(1).submitNs);
        assertEquals(stamp, balancer.balancerAgent().ring.get(2).submitNs);

        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        endInterval();
        assertEquals(3, balancer.stats().latencyCount(0));
        assertTrue(balancer.stats().waitMaxNanos(0) >= 2 * SHORT_NS, "the third waited for the two before it");
    }

    @Test
    @Timeout(60)
    void shouldStampAndRecordOneRequestInNWhenSampling()
    {
        balancer = stepped(1).latencyHistograms(true).latencySampling(4).build();
        final List<Long> batch = List.of(1L, 1L, 1L, 1L, 1L, 1L);
        assertTrue(balancer.trySubmitAll(batch, reply)); // sequences 0 to 5: 0 and 4 are sampled
        for (int s = 0; s < batch.size(); s++)
        {
            final long stamp = balancer.balancerAgent().ring.get(s).submitNs;
            assertEquals(0 == s % 4, 0 != stamp, "sequence " + s + " stamped only if a multiple of 4");
        }
        for (int i = 0; i < 6; i++)
        {
            balancer.submit(1L, reply); // sequences 6 to 11: 8 is sampled
            balancer.invoker().invoke();
            balancer.workerInvoker(0).invoke();
        }
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        assertEquals(12, reply.count(), "every request ran and replied");
        endInterval();
        assertEquals(3, balancer.stats().latencyCount(0), "sequences 0, 4 and 8 recorded");
    }

    @Test
    @Timeout(60)
    void shouldStampNothingAndSaySoWhenHistogramsAreOff()
    {
        assumeFalse(Boolean.getBoolean(BalancerBuilder.LATENCY_PROPERTY),
            "skipped: -Dfulcrum.latency=true turns the histograms on for this whole JVM");
        balancer = stepped(1).build();
        assertTrue(balancer.trySubmit(SHORT_NS, reply));
        assertEquals(0, balancer.balancerAgent().ring.get(0).submitNs, "no clock read on the submitting thread");
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        endInterval();
        assertEquals(1, reply.results.size());

        final BalancerStats stats = balancer.stats();
        assertFalse(stats.latencyHistograms());
        for (final Executable accessor : new Executable[]{
            () -> stats.waitNanos(0, 50), () -> stats.serviceNanos(0, 99), () -> stats.waitMaxNanos(0),
            () -> stats.serviceMaxNanos(0), () -> stats.latencyCount(0), () -> stats.waitHistogram(0),
            () -> stats.serviceHistogram(0)})
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, accessor::execute);
            assertTrue(ex.getMessage().contains("latencyHistograms(true)"), ex.getMessage());
            assertTrue(ex.getMessage().contains("-Dfulcrum.latency=true"), ex.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void shouldTurnOnFromTheSystemPropertyUnlessTheCodeSaysOtherwise()
    {
        final String before = System.getProperty(BalancerBuilder.LATENCY_PROPERTY);
        System.setProperty(BalancerBuilder.LATENCY_PROPERTY, "true");
        try
        {
            balancer = stepped(1).build();
            assertTrue(balancer.stats().latencyHistograms(), "on by the property");
            balancer.close();
            balancer = stepped(1).latencyHistograms(false).build();
            assertFalse(balancer.stats().latencyHistograms(), "the builder's setting wins");
        }
        finally
        {
            if (null == before)
            {
                System.clearProperty(BalancerBuilder.LATENCY_PROPERTY);
            }
            else
            {
                System.setProperty(BalancerBuilder.LATENCY_PROPERTY, before);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseBadLatencySettingsNamingThem()
    {
        final BalancerBuilder<Long, Long> builder = Balancer.builder(LatencyHistogramsTest::spin);
        assertMessage("latencyInterval=PT0.009S", assertThrows(IllegalArgumentException.class,
            () -> builder.latencyInterval(Duration.ofMillis(9))));
        assertMessage("latencyInterval=PT1H0.001S", assertThrows(IllegalArgumentException.class,
            () -> builder.latencyInterval(Duration.ofHours(1).plusMillis(1))));
        assertMessage("latencyInterval", assertThrows(NullPointerException.class, () -> builder.latencyInterval(null)));
        assertMessage("latencySampling must be a power of 2 from 1 to 1024: latencySampling=3",
            assertThrows(IllegalArgumentException.class, () -> builder.latencySampling(3)));
        assertMessage("latencySampling must be a power of 2 from 1 to 1024: latencySampling=2048",
            assertThrows(IllegalArgumentException.class, () -> builder.latencySampling(2048)));
        assertMessage("jfrRequestSampling=-1", assertThrows(IllegalArgumentException.class,
            () -> builder.jfrRequestSampling(-1)));
        assertMessage("jfrRequestSampling=10, latencyHistograms=false", assertThrows(IllegalArgumentException.class,
            () -> Balancer.builder(LatencyHistogramsTest::spin).latencyHistograms(false).jfrRequestSampling(10).build()));

        balancer = stepped(1).latencyHistograms(true).build();
        final BalancerStats stats = balancer.stats();
        assertMessage("percentile=90.0", assertThrows(IllegalArgumentException.class, () -> stats.waitNanos(0, 90)));
        assertMessage("worker=1", assertThrows(IndexOutOfBoundsException.class, () -> stats.serviceNanos(1, 50)));
        assertMessage("worker=-1", assertThrows(IndexOutOfBoundsException.class, () -> stats.waitHistogram(-1)));
    }

    @Test
    @Timeout(60)
    void shouldStartAReusedSlotFromNothing() throws Exception
    {
        balancer = stepped(1).maxWorkers(2).policy(Policy.roundRobin()).latencyHistograms(true).build();
        assertEquals(1, balancer.addWorker());
        balancer.invoker().invoke(); // the add applied: worker 1 in rotation

        runOnBothWorkers();
        endInterval();
        assertEquals(1, balancer.stats().latencyCount(1), "worker 1 ran one in the interval");
        runOnBothWorkers(); // recorded on worker 1, in an interval that will not have ended when it goes

        final CompletableFuture<Void> removed = balancer.removeWorker(1);
        balancer.invoker().invoke(); // it holds nothing: gone at once
        removed.get(30, TimeUnit.SECONDS);
        assertEquals(1, balancer.addWorker(), "the slot is reused");
        assertEquals(0, balancer.stats().latencyCount(1), "the previous worker's figures are gone");

        endInterval();
        assertEquals(0, balancer.stats().latencyCount(1),
            "the interval the previous worker was in when it left does not show as the new one's");
        assertEquals(1, balancer.stats().latencyCount(0), "worker 0's own interval is untouched");
    }

    private void runOnBothWorkers()
    {
        final int before = reply.results.size();
        assertTrue(balancer.trySubmit(SHORT_NS, reply));
        assertTrue(balancer.trySubmit(SHORT_NS, reply));
        balancer.invoker().invoke(); // round robin: one each
        balancer.workerInvoker(0).invoke();
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke(); // completions back
        assertEquals(before + 2, reply.results.size());
        assertEquals(0, balancer.stats().totalPending());
    }

    private static void assertOrdered(final BalancerStats stats, final int worker)
    {
        final long[] wait = {stats.waitNanos(worker, 50), stats.waitNanos(worker, 99), stats.waitNanos(worker, 99.9),
            stats.waitNanos(worker, 100)};
        final long[] service = {stats.serviceNanos(worker, 50), stats.serviceNanos(worker, 99),
            stats.serviceNanos(worker, 99.9), stats.serviceNanos(worker, 100)};
        for (int i = 1; i < wait.length; i++)
        {
            assertTrue(wait[i - 1] <= wait[i], "wait percentiles in order");
            assertTrue(service[i - 1] <= service[i], "service percentiles in order");
        }
        assertEquals(wait[3], stats.waitMaxNanos(worker));
        assertEquals(service[3], stats.serviceMaxNanos(worker));
    }

    /**
     * The snapshot of an interval gives the same figures the engine published for it.
     */
    private static void assertSamePercentiles(final BalancerStats stats, final LatencySnapshot snapshot,
        final boolean service)
    {
        for (final double p : new double[]{50, 99, 99.9, 100})
        {
            assertEquals(service ? stats.serviceNanos(0, p) : stats.waitNanos(0, p), snapshot.nanosAtPercentile(p),
                () -> "p" + p + " of " + snapshot);
        }
        assertEquals(service ? stats.serviceMaxNanos(0) : stats.waitMaxNanos(0), snapshot.maxNanos());
    }

    private static void assertMessage(final String fragment, final Throwable thrown)
    {
        assertTrue(String.valueOf(thrown.getMessage()).contains(fragment),
            () -> "'" + fragment + "' in: " + thrown.getMessage());
    }
}
