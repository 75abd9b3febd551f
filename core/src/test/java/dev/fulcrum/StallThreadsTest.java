package dev.fulcrum;

import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stalls with real threads, in each threading mode the engine runs itself: a task that never returns (until the
 * test releases it) on worker 0, requests queued behind it, and a steady flow of others. The queued ones move and
 * everything else completes while the task is stuck; in SHARED mode, where the stuck thread is also the balancer's,
 * the watchdog runs the balancer meanwhile. Prints how long it took from the stuck task's start until the first
 * request queued behind it had run elsewhere (the threshold plus detection and moving); asserts no timing.
 */
class StallThreadsTest
{
    private static final long THRESHOLD_MS = 50;
    private static final int STUCK = -1;

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    @Timeout(120)
    void shouldMoveWorkQueuedBehindAStuckTaskAndKeepServing(final ThreadingMode mode) throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong stuckStartNs = new AtomicLong();
        final AtomicLong firstMovedNs = new AtomicLong();
        final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        final int others = 2_000;
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                if (q == STUCK)
                {
                    stuckStartNs.set(System.nanoTime());
                    if (!release.await(120, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("never released");
                    }
                }
                else if ((q == 0 || q == 2) && 0 != stuckStartNs.get())
                {
                    firstMovedNs.compareAndSet(0, System.nanoTime());
                }
                return q;
            })
            .workers(2)
            .maxPendingPerWorker(4)
            .policy(Policy.roundRobin())
            .threadingMode(mode)
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .errorHandler(reported::add)
            .balancerIdleStrategy(YieldingIdleStrategy::new)
            .workerIdleStrategy(YieldingIdleStrategy::new)
            .build())
        {
            final Reply<Integer, Integer> reply = Reply.of(
                (q, r) -> done.incrementAndGet(), (q, e) -> errors.incrementAndGet());
            // round robin from worker 0: stuck, 0 and 2 on worker 0; 1 on worker 1. 0 and 2 must move.
            assertTrue(balancer.trySubmitAll(List.of(STUCK, 1, 0, 3, 2), reply));
            Await.until(() -> balancer.stats().totalStalls() == 1, () -> balancer.stats().toString());
            Await.until(() -> done.get() == 4, () -> "done=" + done.get() + " " + balancer.stats());
            for (int i = 0; i < others; i++)
            {
                balancer.submit(10 + i, reply);
            }
            Await.until(() -> done.get() == 4 + others, () -> "done=" + done.get() + " " + balancer.stats());

            final BalancerStats stats = balancer.stats();
            assertTrue(stats.stalled(0));
            assertEquals(2, stats.moved(0));
            assertEquals(0, errors.get());
            assertEquals(1, reported.size(), reported.toString());
            final WorkerStalledException stall = assertInstanceOf(WorkerStalledException.class, reported.get(0));
            assertTrue(stall.getStackTrace().length > 0, "carries the stalled thread's stack");
            System.out.printf("StallThreadsTest %s: stall threshold %d ms, stuck task start to first moved " +
                "request run: %.1f ms%n", mode, THRESHOLD_MS, (firstMovedNs.get() - stuckStartNs.get()) / 1e6);

            release.countDown();
            Await.until(() -> done.get() == 5 + others, () -> "done=" + done.get());
            Await.until(() -> !balancer.stats().stalled(0), () -> balancer.stats().toString());
        }
        assertEquals(5 + others, done.get(), "exactly one reply each, nothing run twice");
    }
}
