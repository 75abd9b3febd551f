package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static java.util.Arrays.asList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine stepped by hand: the balancer through its INVOKER-mode invoker, every worker through its own invoker,
 * all on the test thread, so each step's effect is exact and nothing depends on scheduling.
 */
class BalancerSteppingTest
{
    private Balancer<Integer, Integer> balancer;

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close();
        }
    }

    private Balancer<Integer, Integer> stepped(final Policy policy, final int workers, final int maxPending, final int ring)
    {
        balancer = Balancer.builder((Integer q) -> q * 10)
            .workers(workers)
            .maxPendingPerWorker(maxPending)
            .ringSize(ring)
            .policy(policy)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
        return balancer;
    }

    private void stepBalancer()
    {
        balancer.invoker().invoke();
    }

    private int stepWorker(final int worker)
    {
        return balancer.workerInvoker(worker).invoke();
    }

    private long[] pending()
    {
        final BalancerStats stats = balancer.stats();
        final long[] p = new long[stats.workers()];
        for (int w = 0; w < p.length; w++)
        {
            p[w] = stats.pending(w);
        }
        return p;
    }

    @Test
    void shouldDispatchToLeastLoadedWorkersInOrderAndReplyOnTheWorker()
    {
        stepped(Policy.leastLoaded(), 3, 2, 8);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (int i = 0; i < 6; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        stepBalancer();
        assertEquals(List.of(2L, 2L, 2L), asList(box(pending())));

        assertEquals(2, stepWorker(0));
        assertEquals(List.of(0, 3), reply.results, "worker 0 got requests 0 and 3");
        assertEquals(List.of(0, 30), reply.values);
        assertEquals(2, stepWorker(2));
        assertEquals(List.of(0, 3, 2, 5), reply.results);
        assertEquals(2, stepWorker(1));
        assertEquals(List.of(0, 3, 2, 5, 1, 4), reply.results);

        assertEquals(List.of(2L, 2L, 2L), asList(box(pending())), "pending drops only when the balancer sees it");
        stepBalancer();
        assertEquals(List.of(0L, 0L, 0L), asList(box(pending())));
        assertEquals(6, balancer.stats().totalCompleted());
        assertEquals(6, balancer.stats().dispatched());
    }

    @Test
    void shouldApplyBackpressureAtEveryLinkAndResumeWhenWorkersComplete()
    {
        stepped(Policy.leastLoaded(), 2, 1, 4);
        final Recorder<Integer, Integer> reply = new Recorder<>();

        // link 1: each worker takes at most maxPending (1); the rest stays in the ring
        for (int i = 0; i < 4; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        stepBalancer();
        assertEquals(List.of(1L, 1L), asList(box(pending())));

        // link 2: every worker full, so the balancer does not poll; ring has room for the two it did take
        assertTrue(balancer.trySubmit(4, reply));
        assertTrue(balancer.trySubmit(5, reply));
        // link 3: ring full, trySubmit refuses without waiting, and the refused requests are never replied to
        assertFalse(balancer.trySubmit(6, reply));
        assertFalse(balancer.trySubmit(7, reply));
        stepBalancer();
        assertEquals(List.of(1L, 1L), asList(box(pending())));

        // one completion frees one place at worker 1 and one slot in the ring
        assertEquals(1, stepWorker(1));
        stepBalancer();
        assertEquals(List.of(1L, 1L), asList(box(pending())));
        assertTrue(balancer.trySubmit(8, reply));
        assertFalse(balancer.trySubmit(9, reply));

        drainAll();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 8), sorted(reply.results));
        assertEquals(List.of(0L, 0L), asList(box(pending())));
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs());
    }

    @Test
    void shouldDrainCompletionsWhenNoRequestsArrive()
    {
        stepped(Policy.roundRobin(), 2, 4, 8);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        balancer.trySubmit(1, reply);
        balancer.trySubmit(2, reply);
        stepBalancer();
        stepWorker(0);
        stepWorker(1);
        assertEquals(List.of(1L, 1L), asList(box(pending())));
        assertEquals(2, balancer.invoker().invoke(), "two completions, no requests");
        assertEquals(List.of(0L, 0L), asList(box(pending())));
    }

    @Test
    void shouldReplyWithErrorAndGoOnWhenTaskThrows()
    {
        final RuntimeException boom = new RuntimeException("boom");
        balancer = Balancer.builder((Integer q) ->
            {
                if (q == 2)
                {
                    throw boom;
                }
                if (q == 3)
                {
                    throw new StackOverflowError("deep");
                }
                return q;
            })
            .workers(1)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (int i = 1; i <= 4; i++)
        {
            balancer.submit(i, reply);
        }
        drainAll();
        assertEquals(List.of(1, 4), reply.results);
        assertEquals(List.of(2, 3), reply.errors);
        assertSame(boom, reply.causes.get(0));
        assertTrue(reply.causes.get(1) instanceof StackOverflowError);
        assertEquals(4, balancer.stats().completed(0));
        assertEquals(2, balancer.stats().failed(0));
    }

    @Test
    void shouldReportAndCountReplyThatThrowsAndGoOn()
    {
        final List<Throwable> reported = new ArrayList<>();
        balancer = Balancer.builder((Integer q) -> q)
            .workers(1)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .errorHandler(reported::add)
            .build();
        final List<Integer> seen = new ArrayList<>();
        final Reply<Integer, Integer> throwing = new Reply<>()
        {
            public void onResult(final Integer request, final Integer result)
            {
                seen.add(request);
                if (request % 2 == 0)
                {
                    throw new IllegalStateException("reply " + request);
                }
            }

            public void onError(final Integer request, final Throwable error)
            {
                throw new AssertionError("task never throws here");
            }
        };
        for (int i = 1; i <= 5; i++)
        {
            balancer.submit(i, throwing);
        }
        drainAll();
        assertEquals(List.of(1, 2, 3, 4, 5), seen);
        assertEquals(2, reported.size());
        assertEquals(2, balancer.stats().replyErrors(0));
        assertEquals(5, balancer.stats().completed(0));
        assertEquals(0, balancer.stats().pending(0));
    }

    @Test
    void shouldCompleteFutureWithResultOrError()
    {
        balancer = Balancer.builder((Integer q) ->
            {
                if (q < 0)
                {
                    throw new IllegalArgumentException("negative");
                }
                return q + 1;
            })
            .workers(2)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
        final var ok = balancer.submit(41);
        final var bad = balancer.submit(-1);
        drainAll();
        assertEquals(42, ok.join());
        assertTrue(bad.isCompletedExceptionally());
    }

    @Test
    void shouldAcceptBatchWholeOrRefuseItWholeWhenRingCannotTakeIt()
    {
        stepped(Policy.leastLoaded(), 1, 1, 4);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        assertTrue(balancer.trySubmitAll(List.of(1, 2, 3), reply));
        assertFalse(balancer.trySubmitAll(List.of(4, 5), reply), "one slot left: a batch of two is refused whole");
        assertTrue(balancer.trySubmitAll(List.of(6), reply));
        drainAll();
        assertEquals(List.of(1, 2, 3, 6), reply.results);
    }

    @Test
    void shouldRunEveryAcceptedRequestThenRefuseWhenClosed()
    {
        stepped(Policy.leastLoaded(), 2, 1, 8);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (int i = 0; i < 7; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        balancer.close();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), sorted(reply.results), "close ran everything accepted");
        assertTrue(balancer.isClosed());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> balancer.submit(9, reply));
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
        assertThrows(IllegalStateException.class, () -> balancer.trySubmit(9, reply));
        assertThrows(IllegalStateException.class, () -> balancer.trySubmit(1L, 9, reply));
        assertThrows(IllegalStateException.class, () -> balancer.trySubmitAll(List.of(9), reply));
        balancer.close();
        assertEquals(7, reply.count(), "refused requests are never replied to");
        assertEquals(List.of(0L, 0L), asList(box(pending())));
    }

    private void drainAll()
    {
        int work;
        do
        {
            work = balancer.invoker().invoke();
            for (int w = 0; w < balancer.workers(); w++)
            {
                work += stepWorker(w);
            }
        }
        while (work > 0);
    }

    private static Long[] box(final long[] values)
    {
        final Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++)
        {
            boxed[i] = values[i];
        }
        return boxed;
    }

    private static List<Integer> sorted(final List<Integer> values)
    {
        final List<Integer> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }
}
