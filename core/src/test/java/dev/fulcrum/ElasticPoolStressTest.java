package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool changing under load: four producers submit keyed requests (1,000 keys, Zipf) while another thread adds
 * and removes workers every couple of milliseconds, and keeps doing so while the balancer closes. Every request is
 * replied to once, each key runs in order and one at a time, and nothing is left pending.
 */
class ElasticPoolStressTest
{
    private static final int REQUESTS = Integer.getInteger("fulcrum.stress.requests", 1_000_000) / 4;

    @Test
    @Timeout(300)
    void shouldKeepEveryPromiseWhileWorkersComeAndGoAndCloseRaces() throws Exception
    {
        final KeyedStressTest.Checker checker = new KeyedStressTest.Checker(REQUESTS);
        final KeyedStressTest.Order[][] plans =
            KeyedStressTest.plan(REQUESTS, KeyedStressTest.zipfSampler(1_000, 1.0, 7));
        final Balancer<KeyedStressTest.Order, KeyedStressTest.Order> balancer = Balancer.builder(checker::execute)
            .workers(2)
            .maxWorkers(4)
            .maxPendingPerWorker(8)
            .maxParked(2048) // above what the ring can hold: no key backlog errors in this test
            .ringSize(512)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(50, 10, 1_000, 50_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(50, 10, 1_000, 50_000))
            .build();

        final AtomicBoolean resizing = new AtomicBoolean(true);
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();
        final List<CompletableFuture<Void>> removals = new ArrayList<>();
        final Thread resizer = new Thread(() ->
        {
            final SplittableRandom random = new SplittableRandom(3);
            while (resizing.get())
            {
                try
                {
                    if (random.nextBoolean())
                    {
                        balancer.addWorker();
                        added.incrementAndGet();
                    }
                    else
                    {
                        final int w = random.nextInt(balancer.maxWorkers());
                        if (WorkerState.RUNNING == balancer.stats().state(w) ||
                            WorkerState.STALLED == balancer.stats().state(w))
                        {
                            removals.add(balancer.removeWorker(w));
                            removed.incrementAndGet();
                        }
                    }
                }
                catch (final IllegalStateException refused)
                {
                    // at capacity, last worker, still leaving, or closed: all expected here
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the pace of the resizing, not a wait
            }
        }, "resizer");
        resizer.start();

        KeyedStressTest.runProducers(balancer, plans, checker); // closes the balancer: the resizer is still at it
        resizing.set(false);
        resizer.join(60_000);

        checker.verify(REQUESTS);
        final BalancerStats stats = balancer.stats();
        assertEquals(0, stats.totalPending());
        assertEquals(0, stats.keysInFlight());
        assertEquals(0, stats.parked());
        assertEquals(REQUESTS, stats.totalCompleted());
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs(), "every job back");
        for (final CompletableFuture<Void> removal : removals)
        {
            assertTrue(removal.isDone(), "every removal completed, by the pool or by close");
        }
        System.out.println("ElasticPoolStressTest: " + REQUESTS + " keyed requests, workers added " + added.get() +
            " times and removed " + removed.get() + " times, moved " + stats.totalMoved());
        assertTrue(added.get() > 0 && removed.get() > 0, "the pool did change");
    }
}
