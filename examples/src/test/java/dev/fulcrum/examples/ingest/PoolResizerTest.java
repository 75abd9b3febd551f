package dev.fulcrum.examples.ingest;

import dev.fulcrum.Balancer;
import dev.fulcrum.Reply;
import dev.fulcrum.ThreadingMode;
import dev.fulcrum.WorkerState;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.fulcrum.examples.ingest.IngestServerTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolResizerTest
{
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger blockedEntered = new AtomicInteger();
    private final ConcurrentHashMap<Integer, Integer> replies = new ConcurrentHashMap<>();
    private final List<Balancer<Integer, Void>> balancers = new ArrayList<>();
    private final Reply<Integer, Void> reply = new Reply<>()
    {
        @Override
        public void onResult(final Integer request, final Void result)
        {
            replies.merge(request, 1, Integer::sum);
        }

        @Override
        public void onError(final Integer request, final Throwable error)
        {
            replies.merge(request, 1, Integer::sum);
        }
    };

    @AfterEach
    void tearDown()
    {
        release.countDown();
        balancers.forEach(Balancer::close);
    }

    @Test
    void shouldReachTheLatestSizeWhenItGrowsAgainWhileRemovalsWaitForRunningTasks() throws Exception
    {
        final Balancer<Integer, Void> balancer = balancer(ThreadingMode.DEDICATED, 3, 3);
        final PoolResizer resizer = new PoolResizer(balancer);
        for (int i = -3; i < 0; i++) // one blocking request per worker (each holds at most one)
        {
            balancer.submit(i, reply);
        }
        await(() -> 3 == blockedEntered.get(), "every worker runs a blocking request");

        resizer.resizeTo(1);
        assertEquals(1, resizer.workers());
        assertEquals(2, resizer.removalsInFlight(), "the two leaving workers still run their requests");
        resizer.resizeTo(3); // every slot is taken until a removal completes: the growth waits for them
        assertEquals(1, resizer.workers());
        assertEquals(3, resizer.target());

        release.countDown();
        await(() -> 3 == resizer.workers() && 0 == resizer.removalsInFlight(), "the pool is back at 3");
        assertEquals(3, balancer.workers());
        for (int i = 0; i < 100; i++)
        {
            balancer.submit(i, reply);
        }
        await(() -> 103 == replies.size(), "every request replied to");
        replies.forEach((request, count) -> assertEquals(1, count, "one reply: request=" + request));
        assertEquals(0, resizer.failures());
    }

    @Test
    void shouldEndAtTheLastSizeAskedWhenSizesFollowEachOtherQuickly()
    {
        final Balancer<Integer, Void> balancer = balancer(ThreadingMode.DEDICATED, 1, 4);
        final PoolResizer resizer = new PoolResizer(balancer);

        resizer.resizeTo(4);
        resizer.resizeTo(1);
        resizer.resizeTo(3);
        resizer.resizeTo(2);
        resizer.resizeTo(4);
        resizer.resizeTo(2);

        await(() -> 2 == resizer.workers() && 0 == resizer.removalsInFlight(), "the pool is at 2");
        assertEquals(2, balancer.workers());
        await(() -> 2 == balancer.stats().poolSize(), "the balancer counts 2 workers in its pool");
        assertEquals(0, resizer.failures());
    }

    @Test
    void shouldKeepWorkerZeroWhenShrinkingToOneInSharedMode()
    {
        final Balancer<Integer, Void> balancer = balancer(ThreadingMode.SHARED, 3, 3);
        final PoolResizer resizer = new PoolResizer(balancer);

        resizer.resizeTo(1);

        await(() -> 0 == resizer.removalsInFlight(), "both removals completed");
        assertEquals(1, balancer.workers());
        assertEquals(WorkerState.RUNNING, balancer.stats().state(0), "worker 0 runs the balancer: it stays");
        assertEquals(0, resizer.failures());
    }

    @Test
    void shouldRefuseASizeOutsideOneToTheCapacity()
    {
        final PoolResizer resizer = new PoolResizer(balancer(ThreadingMode.DEDICATED, 1, 3));

        assertEquals("workers must be in 1..3: workers=0",
            assertThrows(IllegalArgumentException.class, () -> resizer.resizeTo(0)).getMessage());
        assertEquals("workers must be in 1..3: workers=4",
            assertThrows(IllegalArgumentException.class, () -> resizer.resizeTo(4)).getMessage());
        assertEquals(1, resizer.target());
    }

    private Balancer<Integer, Void> balancer(final ThreadingMode mode, final int workers, final int maxWorkers)
    {
        final Balancer<Integer, Void> balancer = Balancer.<Integer, Void>builder(request ->
            {
                if (request < 0)
                {
                    blockedEntered.incrementAndGet();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "the test released the blocked requests");
                }
                return null;
            })
            .workers(workers)
            .maxWorkers(maxWorkers)
            .maxPendingPerWorker(1)
            .threadingMode(mode)
            .stallThreshold(Duration.ZERO) // the blocked requests are meant to block
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .build();
        balancers.add(balancer);
        return balancer;
    }
}
