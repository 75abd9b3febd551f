package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, stall detection: the requests queued behind a stuck task move to other workers. Found by
 * {@link CloseDeadlineRaceTest}: when a worker stalls while every other worker is stalled too, there is nowhere to
 * move to at that moment; once another worker returns to rotation the stuck worker's queued and parked requests
 * must move to it, or they (and, once parking fills, the whole ring) wait for the stuck task.
 * <p>
 * The engine's threads are real; the watchdog is stepped on a hand-moved clock, so a worker stalls exactly when the
 * test says and not when a busy machine happens to delay the test thread past the threshold.
 */
class StalledTogetherTest
{
    private static final long THRESHOLD_MS = 5;

    private final ManualClock clock = new ManualClock();

    @Test
    @Timeout(300)
    void shouldMoveAStalledWorkersQueueWhenAnotherWorkerReturnsToRotation() throws Exception
    {
        final CountDownLatch release0 = new CountDownLatch(1);
        final CountDownLatch release1 = new CountDownLatch(1);
        final CountDownLatch started0 = new CountDownLatch(1);
        final CountDownLatch started1 = new CountDownLatch(1);
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(8);
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                if (0 == q || 1 == q)
                {
                    (0 == q ? started0 : started1).countDown();
                    if (!(0 == q ? release0 : release1).await(2 * Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("never released: " + q);
                    }
                }
                return q;
            })
            .workers(2)
            .policy(Policy.roundRobin())
            .maxPendingPerWorker(2)
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .manualWatchdog(clock)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .errorHandler(reported::add)
            .build();
        try
        {
            balancer.submit(0, tally); // round robin: worker 0
            assertTrue(started0.await(2 * Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS));
            passThreshold(balancer);
            Await.until(() -> balancer.stats().stalled(0), () -> "worker 0 stalled: " + balancer.stats());

            balancer.submit(1, tally); // the only worker in rotation: worker 1
            assertTrue(started1.await(2 * Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS));
            balancer.submit(5L, 2, tally); // key 5: queued on worker 1 behind the stuck task (nothing of key 5 runs)
            Await.until(() -> balancer.stats().pending(1) == 2, () -> "queued behind 1: " + balancer.stats());
            balancer.submit(5L, 3, tally); // key 5 again: no worker has room, so it waits in the ring
            passThreshold(balancer);
            Await.until(() -> balancer.stats().stalled(1), () -> "worker 1 stalled too: " + balancer.stats());
            assertEquals(0, tally.total(), "both stuck, nothing replied yet");

            release0.countDown(); // worker 0 returns to rotation; worker 1 is still stuck in request 1
            Await.until(() -> tally.replies(0) == 1, () -> "request 0 replied");
            clock.advanceMs(1);
            balancer.watchdogInvoker().invoke(); // sees worker 0 out of its task: back in rotation
            Await.until(() -> tally.replies(2) == 1 && tally.replies(3) == 1,
                () -> "key 5's requests, queued and parked behind the stuck worker 1, moved to worker 0 and ran: " +
                    balancer.stats());
            // request 2 was queued on worker 1 and moved off it; request 3 waited in the ring, not on it
            assertTrue(balancer.stats().moved(1) >= 1, () -> balancer.stats().toString());
            assertTrue(reported.stream().allMatch(t -> t instanceof WorkerStalledException), reported::toString);
        }
        finally
        {
            release0.countDown();
            release1.countDown();
            balancer.close();
        }
    }

    /**
     * Let the watchdog see the stuck worker in its task, then see it still there past the threshold (it looks once
     * per tick of at most the threshold, so two steps of more than the threshold make sure of both looks).
     */
    private void passThreshold(final Balancer<Integer, Integer> balancer)
    {
        for (int i = 0; i < 3; i++)
        {
            balancer.watchdogInvoker().invoke();
            clock.advanceMs(THRESHOLD_MS + 1);
        }
        balancer.watchdogInvoker().invoke();
    }
}
