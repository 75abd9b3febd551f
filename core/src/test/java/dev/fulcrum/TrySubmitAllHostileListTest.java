package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 2: whatever the list given to {@code trySubmitAll} does (throws from {@code get}, returns null,
 * lies about or changes its size), no ring slot stays claimed, no task sees null, the list's exception reaches the
 * caller, and nothing of a refused batch is ever replied to. Stepped on the test thread (INVOKER mode, manual
 * workers), so "no slot stays claimed" is exact: a batch the size of the whole ring must still fit afterwards.
 */
class TrySubmitAllHostileListTest
{
    private static final int RING = 8;

    private Balancer<Integer, Integer> balancer;
    private final List<Integer> nullsSeen = new ArrayList<>();
    private final Recorder<Integer, Integer> reply = new Recorder<>();

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close(); // drives the manual workers itself: returns only if nothing is left claimed
        }
    }

    private void stepped()
    {
        balancer = Balancer.builder((Integer q) ->
            {
                if (null == q)
                {
                    nullsSeen.add(null);
                    throw new AssertionError("a task saw a null request");
                }
                return q;
            })
            .workers(1)
            .ringSize(RING)
            .maxPendingPerWorker(RING)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
    }

    private void runEverything()
    {
        for (int round = 0; round < 4; round++)
        {
            balancer.invoker().invoke();
            balancer.workerInvoker(0).invoke();
        }
        balancer.invoker().invoke();
    }

    /**
     * The whole ring is free: a batch of {@link #RING} fits now, and every request of it gets its reply.
     */
    private void assertRingWhollyFreeAndServing(final int base)
    {
        final List<Integer> full = new ArrayList<>();
        for (int i = 0; i < RING; i++)
        {
            full.add(base + i);
        }
        assertTrue(balancer.trySubmitAll(full, reply), "a batch the size of the ring fits: no slot stays claimed");
        runEverything();
        assertTrue(reply.results.containsAll(full), () -> "replied " + reply.results);
        assertTrue(balancer.trySubmit(base + RING, reply), "a later trySubmit is accepted");
        balancer.submit(base + RING + 1, reply);
        runEverything();
        assertTrue(reply.results.contains(base + RING) && reply.results.contains(base + RING + 1), reply.results::toString);
        assertEquals(0, balancer.stats().totalPending());
    }

    @Test
    @Timeout(30)
    void shouldClaimNothingAndRethrowWhenGetThrows()
    {
        stepped();
        final IllegalStateException boom = new IllegalStateException("get fails by design");
        final AtomicInteger calls = new AtomicInteger();
        final List<Integer> throwsOnThirdGet = list(4, i ->
        {
            if (calls.incrementAndGet() == 3)
            {
                throw boom;
            }
            return 100 + i;
        });

        assertSame(boom, assertThrows(IllegalStateException.class, () -> balancer.trySubmitAll(throwsOnThirdGet, reply)));
        runEverything();
        assertEquals(0, reply.count(), "nothing of the refused batch was replied to: " + reply.results);
        assertRingWhollyFreeAndServing(0);
        assertEquals(0, reply.results.stream().filter(q -> q >= 100 && q < 104).count(), reply.results::toString);
    }

    @Test
    @Timeout(30)
    void shouldClaimNothingAndRethrowWhenGetThrowsOnEveryLaterRead()
    {
        stepped();
        // the first full read succeeds; any second read of an index throws (the old bug: check, claim, read again)
        final boolean[] read = new boolean[4];
        final List<Integer> throwsOnSecondRead = list(4, i ->
        {
            if (read[i])
            {
                throw new IllegalStateException("second read of index " + i);
            }
            read[i] = true;
            return 200 + i;
        });
        assertTrue(balancer.trySubmitAll(throwsOnSecondRead, reply), "the list is read once, so its second read never happens");
        runEverything();
        assertEquals(List.of(200, 201, 202, 203), reply.results);
        assertRingWhollyFreeAndServing(0);
    }

    @Test
    @Timeout(30)
    void shouldNeverHandATaskNullWhenTheListReturnsNullOnASecondRead()
    {
        stepped();
        final boolean[] read = new boolean[3];
        final List<Integer> nullOnSecondRead = list(3, i ->
        {
            final boolean again = read[i];
            read[i] = true;
            return again ? null : 300 + i;
        });
        assertTrue(balancer.trySubmitAll(nullOnSecondRead, reply));
        runEverything();
        assertEquals(List.of(300, 301, 302), reply.results);
        assertTrue(nullsSeen.isEmpty(), "no task saw null");
        assertRingWhollyFreeAndServing(0);
    }

    @Test
    @Timeout(30)
    void shouldClaimNothingWhenTheListReturnsNullOnTheFirstRead()
    {
        stepped();
        final List<Integer> nullAtTwo = list(4, i -> 2 == i ? null : 400 + i);
        final NullPointerException npe =
            assertThrows(NullPointerException.class, () -> balancer.trySubmitAll(nullAtTwo, reply));
        assertTrue(npe.getMessage().contains("requests[2]=null"), npe::getMessage);
        runEverything();
        assertEquals(0, reply.count(), reply.results::toString);
        assertRingWhollyFreeAndServing(0);
        assertTrue(nullsSeen.isEmpty());
    }

    @Test
    @Timeout(30)
    void shouldClaimNothingWhenSizeLiesAndGetRunsOffTheEnd()
    {
        stepped();
        final List<Integer> shorter = List.of(500, 501);
        final List<Integer> liar = new AbstractList<>()
        {
            public Integer get(final int index)
            {
                return shorter.get(index); // IndexOutOfBoundsException past 1
            }

            public int size()
            {
                return 5;
            }
        };
        assertThrows(IndexOutOfBoundsException.class, () -> balancer.trySubmitAll(liar, reply));
        runEverything();
        assertEquals(0, reply.count(), reply.results::toString);
        assertRingWhollyFreeAndServing(0);
    }

    @Test
    @Timeout(30)
    void shouldTakeOneConsistentBatchWhenTheListChangesBetweenCalls()
    {
        stepped();
        final AtomicInteger sizeCalls = new AtomicInteger();
        // size grows on every call, up to the ring and past it: whatever was read once is what is submitted
        final List<Integer> growing = new AbstractList<>()
        {
            public Integer get(final int index)
            {
                return 600 + index;
            }

            public int size()
            {
                return Math.min(RING + 4, 3 + sizeCalls.getAndIncrement() * 3);
            }
        };
        assertTrue(balancer.trySubmitAll(growing, reply));
        runEverything();
        final int n = reply.count();
        assertTrue(n >= 3 && n <= RING, () -> "one batch within the ring: " + reply.results);
        for (int i = 0; i < n; i++)
        {
            assertEquals(600 + i, reply.results.get(i), reply.results::toString);
        }
        assertEquals(0, reply.errors.size(), reply.causes::toString);
        assertRingWhollyFreeAndServing(0);
    }

    @Test
    @Timeout(60)
    void shouldKeepServingOnRealThreadsAfterAHostileBatch() throws Exception
    {
        try (Balancer<Integer, Integer> threaded = Balancer.builder((Integer q) -> q)
            .workers(2)
            .ringSize(RING)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .build())
        {
            final ReplyTally<Integer> tally = new ReplyTally<>(2 * RING);
            for (int attempt = 0; attempt < RING; attempt++)
            {
                final AtomicInteger calls = new AtomicInteger();
                final List<Integer> hostile = list(RING, i ->
                {
                    if (calls.incrementAndGet() == RING)
                    {
                        throw new IllegalStateException("last get fails by design");
                    }
                    return RING + i;
                });
                assertThrows(IllegalStateException.class, () -> threaded.trySubmitAll(hostile, tally));
            }
            for (int i = 0; i < RING; i++)
            {
                threaded.submit(i, tally);
            }
            assertEquals(7, threaded.submit(7).get(30, TimeUnit.SECONDS));
            Await.until(() -> tally.total() == RING, () -> "replies " + tally.total());
            threaded.close();
            tally.assertExactlyOnce(2 * RING, id -> id < RING);
            assertFalse(tally.total() > RING);
        }
    }

    private static List<Integer> list(final int size, final IntFunction<Integer> get)
    {
        return new AbstractList<>()
        {
            public Integer get(final int index)
            {
                return get.apply(index);
            }

            public int size()
            {
                return size;
            }
        };
    }
}
