package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The autoscaler's decisions, stepped on a hand-moved clock against real workers: it grows while every worker is
 * in a task, stops at its maximum, and shrinks once the workers idle.
 */
class AutoscalerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    @Timeout(60)
    void shouldGrowWhileEveryWorkerIsBusyAndShrinkWhenTheyIdle() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inTask = new AtomicInteger();
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                inTask.incrementAndGet();
                release.await(60, TimeUnit.SECONDS);
                return q;
            })
            .workers(1).maxWorkers(3).maxPendingPerWorker(1).build())
        {
            final Reply<Integer, Integer> reply = Reply.of((q, r) -> { }, (q, e) -> { });
            for (int i = 0; i < 4; i++)
            {
                balancer.submit(i, reply);
            }
            final Autoscaler autoscaler = new Autoscaler(balancer, 1, 3, Duration.ofMillis(1), Duration.ofMillis(10), 0);
            long now = 0;
            Await.until(() -> inTask.get() == 1, () -> "worker 0 in its task");
            for (int expected = 2; expected <= 3; expected++)
            {
                for (int i = 0; i < 10; i++)
                {
                    autoscaler.step(now += MS);
                }
                assertEquals(expected, balancer.workers(), "grown while every worker was busy");
                final int busy = expected;
                Await.until(() -> inTask.get() == busy, () -> "the new worker took a waiting request");
            }
            for (int i = 0; i < 10; i++)
            {
                autoscaler.step(now += MS);
            }
            assertEquals(3, balancer.workers(), "never past maxWorkers");
            assertEquals(2, autoscaler.grown());

            release.countDown();
            Await.until(() -> balancer.stats().totalCompleted() == 4, () -> balancer.stats().toString());
            for (int i = 0; i < 30; i++)
            {
                autoscaler.step(now += MS);
            }
            Await.until(() -> balancer.stats().poolSize() < 3, () -> balancer.stats().toString());
            assertEquals(true, autoscaler.shrunk() >= 1, "shrunk once idle");
        }
    }

    @Test
    void shouldRefuseBoundsThatDoNotFitTheBalancer()
    {
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> q).workers(1).maxWorkers(2).build())
        {
            assertThrows(IllegalArgumentException.class, () -> Autoscaler.start(balancer, 1, 3));
            assertThrows(IllegalArgumentException.class, () -> Autoscaler.start(balancer, 0, 2));
            try (Autoscaler running = Autoscaler.start(balancer, 1, 2))
            {
                assertEquals(0, running.shrunk());
            }
        }
    }
}
