package dev.fulcrum;

import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stuck task delays only what is already queued behind it on its own worker: new work flows to the others.
 */
class LivenessTest
{
    private static final int STUCK = -1;

    @Test
    @Timeout(120)
    void shouldCompleteEverythingElseWhileOneTaskIsStuck() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch stuckStarted = new CountDownLatch(1);
        final int maxPending = 4;
        final int others = 10_000;
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                if (q == STUCK)
                {
                    stuckStarted.countDown();
                    if (!release.await(120, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("never released");
                    }
                }
                return q;
            })
            .workers(3)
            .maxPendingPerWorker(maxPending)
            .balancerIdleStrategy(YieldingIdleStrategy::new)
            .workerIdleStrategy(YieldingIdleStrategy::new)
            .build())
        {
            final AtomicInteger done = new AtomicInteger();
            final AtomicInteger stuckDone = new AtomicInteger();
            final Reply<Integer, Integer> reply = new Reply<>()
            {
                public void onResult(final Integer request, final Integer result)
                {
                    (request == STUCK ? stuckDone : done).incrementAndGet();
                }

                public void onError(final Integer request, final Throwable error)
                {
                    throw new AssertionError(error);
                }
            };

            balancer.submit(STUCK, reply);
            assertTrue(stuckStarted.await(60, TimeUnit.SECONDS));
            for (int i = 0; i < others; i++)
            {
                balancer.submit(i, reply);
            }

            // at most maxPending - 1 requests can be queued behind the stuck one; all the rest must complete
            Await.until(() -> done.get() >= others - (maxPending - 1), () -> "done=" + done.get());
            assertEquals(0, stuckDone.get(), "still stuck");
            assertFalse(balancer.stats().pending(0) == 0, "worker 0 holds the stuck task");

            release.countDown();
            Await.until(() -> done.get() == others && stuckDone.get() == 1, () -> "done=" + done.get());
        }
    }

    @Test
    @Timeout(120)
    void shouldCompleteOtherWorkWhileAKeyedTaskIsStuckWithItsKeyParkedToTheBound() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch stuckStarted = new CountDownLatch(1);
        final int others = 10_000;
        try (Balancer<String, String> balancer = Balancer.builder((String q) ->
            {
                if (q.equals("stuck"))
                {
                    stuckStarted.countDown();
                    if (!release.await(120, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("never released");
                    }
                }
                return q;
            })
            .workers(2)
            .maxPendingPerWorker(1)
            .maxParked(2)
            .balancerIdleStrategy(YieldingIdleStrategy::new)
            .workerIdleStrategy(YieldingIdleStrategy::new)
            .build())
        {
            final AtomicInteger done = new AtomicInteger();
            final Reply<String, String> reply = Reply.of((q, r) -> done.incrementAndGet(), (q, e) -> { });
            balancer.submit(1L, "stuck", reply);
            assertTrue(stuckStarted.await(60, TimeUnit.SECONDS));
            balancer.submit(1L, "a", reply);
            balancer.submit(1L, "b", reply);
            Await.until(() -> balancer.stats().parked() == 2, () -> balancer.stats().toString());
            for (int i = 0; i < others; i++)
            {
                balancer.submit(i % 2 == 0 ? "free" : "other", reply);
            }
            Await.until(() -> done.get() == others, () -> "done=" + done.get());
            assertEquals(2, balancer.stats().parked(), "key 1 still waits for its stuck request");

            release.countDown();
            Await.until(() -> done.get() == others + 3, () -> "done=" + done.get());
        }
    }
}
