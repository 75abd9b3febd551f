package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer's round-trip times, stepped: a timed policy hears one round trip per request that ran, from the
 * stamps the balancer took at its dispatch and completion, and none for a request moved off a stalled worker before
 * it started (its copy, which ran elsewhere, has its own); a policy that did not ask hears none.
 */
class RoundTripSteppingTest
{
    private static final long THRESHOLD_MS = 100;

    private final ManualClock clock = new ManualClock();
    private final StuckTask task = new StuckTask();
    private final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
    private final Recorder<String, String> reply = Recorder.synchronizedRecorder();
    private Balancer<String, String> balancer;
    private Thread worker0;

    @AfterEach
    void close() throws InterruptedException
    {
        task.release.countDown();
        if (null != worker0)
        {
            worker0.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (null != balancer)
        {
            balancer.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldTimeEachRequestThatRanAndNotOneMovedBeforeItStarted() throws Exception
    {
        final Counting chooser = new Counting(true);
        build(chooser);
        final long before = System.nanoTime();
        // fewest pending, lowest index: worker 0 takes stuck, r2, r4, r6; worker 1 takes r1, r3, r5, r7
        StuckTask.submit(balancer, reply, StuckTask.STUCK, "r1", "r2", "r3", "r4", "r5", "r6", "r7");
        balancer.invoker().invoke();
        worker0 = new Thread(() -> balancer.workerInvoker(0).invoke(), "test-worker-0");
        worker0.start();
        assertTrue(task.started.await(30, TimeUnit.SECONDS));

        // worker 0 stalls: r2, r4, r6 are revoked and their copies go to worker 1
        balancer.watchdogInvoker().invoke();
        clock.advanceMs(THRESHOLD_MS + 10);
        balancer.watchdogInvoker().invoke();
        balancer.invoker().invoke();
        assertEquals(3, balancer.stats().moved(0));
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke();
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke();
        assertEquals(7, chooser.roundTrips, "r1..r7 ran on worker 1");

        // the stuck task ends; worker 0 hands back the three revoked jobs as it skips them
        task.release.countDown();
        worker0.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(worker0.isAlive());
        worker0 = null;
        balancer.invoker().invoke();
        final long elapsedNs = System.nanoTime() - before;

        assertEquals(8, reply.count());
        assertEquals(0, balancer.stats().totalPending());
        assertEquals(11, chooser.completions, "8 that ran and 3 revoked ones handed back");
        assertEquals(8, chooser.roundTrips, "one round trip per request that ran, none for a revoked one");
        assertTrue(chooser.minRoundTripNs >= 0 && chooser.maxRoundTripNs <= elapsedNs,
            "round trips within the test's own time (" + elapsedNs + " ns): " + chooser.minRoundTripNs + " to " +
            chooser.maxRoundTripNs + " ns");
        assertTrue(chooser.lastCompletedNs >= before && chooser.lastCompletedNs - before <= elapsedNs);
        assertTrue(reported.stream().allMatch(t -> t instanceof WorkerStalledException), reported::toString);
    }

    @Test
    @Timeout(60)
    void shouldTellAPolicyThatDidNotAskNoRoundTrip()
    {
        final Counting chooser = new Counting(false);
        build(chooser);
        StuckTask.submit(balancer, reply, "a", "b", "c");
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke();
        assertEquals(3, reply.count());
        assertEquals(3, chooser.completions);
        assertEquals(0, chooser.roundTrips);
    }

    private void build(final Counting chooser)
    {
        balancer = Balancer.builder(task)
            .workers(2)
            .maxPendingPerWorker(4)
            .ringSize(64)
            .policy(Policy.custom("counting", v -> chooser.on(v)))
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .errorHandler(reported::add)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .build();
    }

    /**
     * Fewest pending, lowest index; counts what it is told. Only the test thread runs the balancer's cycle here.
     */
    private static final class Counting extends WorkerChooser
    {
        WorkerView view;
        int completions;
        int roundTrips;
        long minRoundTripNs = Long.MAX_VALUE;
        long maxRoundTripNs = Long.MIN_VALUE;
        long lastCompletedNs;

        Counting(final boolean roundTripTimes)
        {
            super(roundTripTimes);
        }

        Counting on(final WorkerView view)
        {
            this.view = view;
            return this;
        }

        @Override
        protected int choose()
        {
            int best = -1;
            for (int w = 0; w < view.workers(); w++)
            {
                if (view.hasRoom(w) && (best < 0 || view.pending(w) < view.pending(best)))
                {
                    best = w;
                }
            }
            return best;
        }

        @Override
        protected void onComplete(final int worker)
        {
            completions++;
        }

        @Override
        protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
        {
            roundTrips++;
            minRoundTripNs = Math.min(minRoundTripNs, roundTripNs);
            maxRoundTripNs = Math.max(maxRoundTripNs, roundTripNs);
            lastCompletedNs = completedNs;
        }
    }
}
