package dev.fulcrum;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every policy's dispatcher keeps, run against each of them (after JCTools' QueueSanityTest).
 */
class DispatcherContractTest
{
    static Stream<Arguments> policies()
    {
        return Stream.of(
            Arguments.of(Policy.leastLoaded()),
            Arguments.of(Policy.roundRobin()),
            Arguments.of(Policy.powerOfTwoChoices(3)),
            Arguments.of(Policy.joinIdleQueue()));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void shouldSelectAWorkerWithRoomUntilAllAreFull(final Policy policy)
    {
        final Dispatcher dispatcher = policy.newDispatcher(5, 3);
        final int capacity = 5 * dispatcher.maxPending;
        for (int i = 0; i < capacity; i++)
        {
            assertTrue(dispatcher.anyRoom());
            final int worker = dispatcher.select();
            assertTrue(worker >= 0 && worker < 5, "worker=" + worker);
            assertTrue(dispatcher.hasRoom(worker));
            dispatcher.onDispatch(worker);
        }
        assertEquals(-1, dispatcher.select());
        assertTrue(!dispatcher.anyRoom());
        for (int w = 0; w < 5; w++)
        {
            assertEquals(dispatcher.maxPending, dispatcher.pending(w));
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void shouldRefuseDispatchToFullWorkerAndCompletionOfIdleWorker(final Policy policy)
    {
        final Dispatcher dispatcher = policy.newDispatcher(2, 1);
        dispatcher.onDispatch(1);
        assertThrows(IllegalStateException.class, () -> dispatcher.onDispatch(1));
        assertEquals(1, dispatcher.pending(1));
        assertThrows(IllegalStateException.class, () -> dispatcher.onComplete(0));
        assertEquals(0, dispatcher.pending(0));
    }

    @ParameterizedTest
    @MethodSource("policies")
    void shouldKeepPendingExactWhenDispatchesAndCompletionsInterleaveAtRandom(final Policy policy)
    {
        final SplittableRandom random = new SplittableRandom(11);
        final int workers = 7;
        final Dispatcher dispatcher = policy.newDispatcher(workers, 4);
        final int[] reference = new int[workers];
        for (int op = 0; op < 20_000; op++)
        {
            if (random.nextInt(3) > 0)
            {
                // dispatch either where the policy says or, as a busy key would, to a chosen worker with room
                final int chosen = random.nextInt(workers);
                final int worker = random.nextBoolean() || !dispatcher.hasRoom(chosen) ? dispatcher.select() : chosen;
                boolean anyRoom = false;
                for (final int p : reference)
                {
                    anyRoom |= p < dispatcher.maxPending;
                }
                assertEquals(anyRoom, dispatcher.anyRoom());
                if (worker < 0)
                {
                    assertTrue(!anyRoom, "select() gave -1 while a worker had room");
                    continue;
                }
                assertTrue(reference[worker] < dispatcher.maxPending, "selected a full worker " + worker);
                dispatcher.onDispatch(worker);
                reference[worker]++;
            }
            else
            {
                final int worker = random.nextInt(workers);
                if (reference[worker] > 0)
                {
                    dispatcher.onComplete(worker);
                    reference[worker]--;
                }
            }
            for (int w = 0; w < workers; w++)
            {
                assertEquals(reference[w], dispatcher.pending(w));
            }
            if (dispatcher instanceof LeastLoadedDispatcher)
            {
                assertTrue(((LeastLoadedDispatcher)dispatcher).heap().isValid(), "heap invariant at op " + op);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("policies")
    void shouldNeverSelectAnOfflineWorkerAndKeepItsPendingWhenWorkersGoOfflineAtRandom(final Policy policy)
    {
        final SplittableRandom random = new SplittableRandom(17);
        final int workers = 6;
        final Dispatcher dispatcher = policy.newDispatcher(workers, 3);
        final int[] reference = new int[workers];
        final boolean[] offline = new boolean[workers];
        for (int op = 0; op < 20_000; op++)
        {
            final int kind = random.nextInt(10);
            final int w = random.nextInt(workers);
            if (kind < 5)
            {
                boolean anyRoom = false;
                for (int i = 0; i < workers; i++)
                {
                    anyRoom |= !offline[i] && reference[i] < dispatcher.maxPending;
                }
                assertEquals(anyRoom, dispatcher.anyRoom(), "anyRoom at op " + op);
                final int worker = dispatcher.select();
                if (worker < 0)
                {
                    assertTrue(!anyRoom, "select() gave -1 while an online worker had room");
                    continue;
                }
                assertTrue(!offline[worker], "selected offline worker " + worker + " at op " + op);
                assertTrue(reference[worker] < dispatcher.maxPending, "selected a full worker " + worker);
                dispatcher.onDispatch(worker);
                reference[worker]++;
            }
            else if (kind < 8)
            {
                if (reference[w] > 0)
                {
                    dispatcher.onComplete(w); // an offline worker still completes what it holds
                    reference[w]--;
                }
            }
            else
            {
                offline[w] = !offline[w];
                dispatcher.offline(w, offline[w]);
                assertEquals(!offline[w] && reference[w] < dispatcher.maxPending, dispatcher.hasRoom(w));
            }
            for (int i = 0; i < workers; i++)
            {
                assertEquals(reference[i], dispatcher.pending(i));
                assertEquals(offline[i], dispatcher.isOffline(i));
            }
            if (dispatcher instanceof LeastLoadedDispatcher)
            {
                assertTrue(((LeastLoadedDispatcher)dispatcher).heap().isValid(), "heap invariant at op " + op);
            }
        }
    }
}
