package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link Policy} keeps, after JCTools' QueueSanityTest: subclass it with {@link #policy()} and
 * JUnit 5 runs every check on that policy. Every built-in policy passes it in Fulcrum's build; so can yours, from
 * fulcrum-core's test jar (classifier {@code tests}), on the class path (the suite is in package {@code dev.fulcrum},
 * to drive a policy the way the balancer does, without threads):
 * <pre>{@code
 * class MyPolicyContractTest extends PolicyContract
 * {
 *     protected Policy policy()
 *     {
 *         return Policy.custom("mine", workers -> new MyChooser(workers));
 *     }
 * }
 * }</pre>
 * What it checks, each with a model of the balancer's books kept beside the policy's: a choice always has room and
 * is never offline (stalled, leaving, gone, or a slot waiting for a worker); there is a choice whenever some worker
 * has room; pending counts stay exact through dispatches the policy did not choose (a busy key's), completions,
 * round trips and workers going offline and back at random; two balancers of one policy share nothing. For a
 * {@link WorkerChooser} the balancer would refuse a broken choice and report it; here any fault fails the test with
 * the balancer's message. Bounded: about a quarter of a million steps in all, a second or so.
 */
@SuppressWarnings("exports") // compiled into the module for its tests: JUnit is on the class path, not a module
public abstract class PolicyContract
{
    private static final int RANDOM_STEPS = 20_000;

    private final List<Throwable> faults = new ArrayList<>();

    /**
     * For a subclass that names the policy under test.
     */
    protected PolicyContract()
    {
    }

    /**
     * @return the policy under test; called once per dispatcher, so a fresh instance each time or a shared one both
     * do (a policy's state lives in what it builds per balancer).
     */
    protected abstract Policy policy();

    @Test
    public void shouldSelectAWorkerWithRoomUntilAllAreFull()
    {
        final Dispatcher dispatcher = newDispatcher(5, 3);
        final int capacity = 5 * dispatcher.maxPending;
        for (int i = 0; i < capacity; i++)
        {
            assertTrue(dispatcher.anyRoom());
            final int worker = dispatcher.select();
            assertNoFault();
            assertTrue(worker >= 0 && worker < 5, "worker=" + worker);
            assertTrue(dispatcher.hasRoom(worker), "selected a worker without room: " + worker);
            dispatcher.onDispatch(worker);
        }
        assertEquals(-1, dispatcher.select());
        assertFalse(dispatcher.anyRoom());
        for (int w = 0; w < 5; w++)
        {
            assertEquals(dispatcher.maxPending, dispatcher.pending(w));
        }
        assertNoFault();
    }

    @Test
    public void shouldServeASingleWorkerAgainOnceItHasRoom()
    {
        final Dispatcher dispatcher = newDispatcher(1, 1);
        for (int round = 0; round < 3; round++)
        {
            assertEquals(0, dispatcher.select());
            dispatcher.onDispatch(0);
            assertEquals(-1, dispatcher.select());
            complete(dispatcher, 0, 1_000L * (round + 1), 1_000_000L * (round + 1));
        }
        assertNoFault();
    }

    @Test
    public void shouldRefuseDispatchToAFullWorkerAndCompletionOfAnIdleOne()
    {
        final Dispatcher dispatcher = newDispatcher(2, 1);
        dispatcher.onDispatch(1);
        assertThrows(IllegalStateException.class, () -> dispatcher.onDispatch(1));
        assertEquals(1, dispatcher.pending(1));
        assertThrows(IllegalStateException.class, () -> dispatcher.onComplete(0));
        assertEquals(0, dispatcher.pending(0));
        assertNoFault();
    }

    @Test
    public void shouldKeepPendingExactWhenDispatchesAndCompletionsInterleaveAtRandom()
    {
        final Model model = new Model(newDispatcher(7, 4), new SplittableRandom(11));
        for (int step = 0; step < RANDOM_STEPS; step++)
        {
            if (model.random.nextInt(3) > 0)
            {
                model.dispatchOrBindToAKey(step);
            }
            else
            {
                model.completeSomewhere();
            }
            model.check(step);
        }
    }

    @Test
    public void shouldNeverSelectAnOfflineWorkerAndKeepItsPendingWhenWorkersGoOfflineAtRandom()
    {
        final Model model = new Model(newDispatcher(6, 3), new SplittableRandom(17));
        for (int step = 0; step < RANDOM_STEPS; step++)
        {
            final int kind = model.random.nextInt(10);
            if (kind < 5)
            {
                model.dispatchChosen(step);
            }
            else if (kind < 8)
            {
                model.completeSomewhere(); // an offline worker still completes what it holds
            }
            else
            {
                model.toggleOffline(model.random.nextInt(model.workers));
            }
            model.check(step);
        }
    }

    @Test
    public void shouldChooseOnlySlotsWithAWorkerWhileTheOthersWaitForWorkersAddedLater()
    {
        // as the balancer builds it for maxWorkers 8 and 3 workers: slots 3..7 offline from the start
        final Model model = new Model(newDispatcher(8, 2), new SplittableRandom(23));
        for (int w = 3; w < 8; w++)
        {
            model.toggleOffline(w);
        }
        final int maxPending = model.dispatcher.maxPending;
        for (int i = 0; i < 3 * maxPending; i++)
        {
            final int worker = model.dispatchChosen(i);
            assertTrue(worker >= 0 && worker < 3, "chose slot " + worker + ", which has no worker yet");
        }
        assertEquals(-1, model.dispatcher.select(), "every worker is full, the empty slots have no room");
        model.toggleOffline(5); // a worker added in slot 5
        for (int i = 0; i < maxPending; i++)
        {
            assertEquals(5, model.dispatchChosen(i), "the only worker with room is the new one in slot 5");
        }
        model.toggleOffline(1); // worker 1 leaves with what it holds
        model.complete(1);
        assertEquals(-1, model.dispatcher.select(), "a leaving worker has no room whatever its pending count");
        model.complete(0);
        assertEquals(0, model.dispatchChosen(0), "worker 0 has the only room");
        model.check(8);
    }

    @Test
    public void shouldKeepNoStateSharedBetweenTwoBalancersOfOnePolicy()
    {
        final Model first = new Model(newDispatcher(5, 2), new SplittableRandom(29));
        final Model second = new Model(newDispatcher(5, 2), new SplittableRandom(31));
        for (int step = 0; step < RANDOM_STEPS; step++)
        {
            // one fills up while the other drains, so state shared between them would choose full workers
            final Model busy = (step / 500) % 2 == 0 ? first : second;
            final Model quiet = busy == first ? second : first;
            busy.dispatchChosen(step);
            if (busy.random.nextInt(4) == 0)
            {
                busy.completeSomewhere();
            }
            quiet.completeSomewhere();
            if (quiet.random.nextInt(8) == 0)
            {
                quiet.dispatchChosen(step);
            }
            first.check(step);
            second.check(step);
        }
    }

    @Test
    public void shouldTakeRoundTripsOfAnySizeAndClocksThatSkewWithoutABrokenChoice()
    {
        final Model model = new Model(newDispatcher(4, 3), new SplittableRandom(37));
        for (int step = 0; step < RANDOM_STEPS; step++)
        {
            final int kind = model.random.nextInt(10);
            if (kind < 5)
            {
                model.dispatchChosen(step);
            }
            else if (kind < 9)
            {
                model.completeSomewhere();
            }
            else
            {
                model.toggleOffline(model.random.nextInt(model.workers));
            }
            model.check(step);
        }
    }

    private Dispatcher newDispatcher(final int workers, final int maxPending)
    {
        final Dispatcher dispatcher = policy().newDispatcher(workers, maxPending);
        dispatcher.reportFaultsTo(new EngineFaults(faults::add));
        return dispatcher;
    }

    private void assertNoFault()
    {
        if (!faults.isEmpty())
        {
            final Throwable first = faults.get(0);
            final AssertionError error = new AssertionError(faults.size() + " fault(s), the first: " + first.getMessage());
            error.initCause(first);
            throw error;
        }
    }

    /**
     * A completion as the balancer makes it: pending down, then the round trip for a policy that asked for times.
     */
    private static void complete(final Dispatcher dispatcher, final int worker, final long roundTripNs, final long nowNs)
    {
        dispatcher.onComplete(worker);
        if (dispatcher.timed)
        {
            dispatcher.onRoundTrip(worker, roundTripNs, nowNs);
        }
    }

    /**
     * The balancer's books kept beside the dispatcher's, and a clock for round trips that mostly moves forward.
     */
    private final class Model
    {
        final Dispatcher dispatcher;
        final SplittableRandom random;
        final int workers;
        final int[] pending;
        final boolean[] offline;
        long nowNs = 1_000_000_000L;

        Model(final Dispatcher dispatcher, final SplittableRandom random)
        {
            this.dispatcher = dispatcher;
            this.random = random;
            this.workers = dispatcher.workers();
            this.pending = new int[workers];
            this.offline = new boolean[workers];
        }

        boolean anyRoom()
        {
            for (int w = 0; w < workers; w++)
            {
                if (hasRoom(w))
                {
                    return true;
                }
            }
            return false;
        }

        boolean hasRoom(final int worker)
        {
            return !offline[worker] && pending[worker] < dispatcher.maxPending;
        }

        /**
         * @return the worker chosen and dispatched to, or -1 when none had room.
         */
        int dispatchChosen(final int step)
        {
            final boolean anyRoom = anyRoom();
            assertEquals(anyRoom, dispatcher.anyRoom(), "anyRoom at step " + step);
            final int worker = dispatcher.select();
            assertNoFault();
            if (worker < 0)
            {
                assertFalse(anyRoom, "select() gave -1 while an online worker had room, at step " + step);
                return -1;
            }
            if (!hasRoom(worker))
            {
                fail("selected worker " + worker + " at step " + step + ", which " +
                    (offline[worker] ? "is offline" : "is full"));
            }
            dispatch(worker);
            return worker;
        }

        /**
         * Dispatch where the policy says or, as a busy key would, to a worker of the model's choice with room.
         */
        void dispatchOrBindToAKey(final int step)
        {
            final int chosen = random.nextInt(workers);
            if (random.nextBoolean() && hasRoom(chosen))
            {
                dispatch(chosen);
            }
            else
            {
                dispatchChosen(step);
            }
        }

        void dispatch(final int worker)
        {
            dispatcher.onDispatch(worker);
            pending[worker]++;
            assertNoFault();
        }

        void completeSomewhere()
        {
            final int worker = random.nextInt(workers);
            if (pending[worker] > 0)
            {
                complete(worker);
            }
        }

        void complete(final int worker)
        {
            nowNs += random.nextInt(20) == 0 ? -random.nextInt(1_000) : random.nextLong(5_000_000L);
            final long roundTripNs;
            switch (random.nextInt(8))
            {
                case 0:
                    roundTripNs = 0;
                    break;
                case 1:
                    roundTripNs = 1L << (40 + random.nextInt(20)); // 18 minutes to years
                    break;
                case 2:
                    roundTripNs = -random.nextInt(100); // stamps from two threads' clocks
                    break;
                default:
                    roundTripNs = 1 + random.nextLong(10_000_000L);
            }
            PolicyContract.complete(dispatcher, worker, roundTripNs, nowNs);
            pending[worker]--;
            assertNoFault();
        }

        void toggleOffline(final int worker)
        {
            offline[worker] = !offline[worker];
            dispatcher.offline(worker, offline[worker]);
            assertEquals(hasRoom(worker), dispatcher.hasRoom(worker));
            assertNoFault();
        }

        void check(final int step)
        {
            for (int w = 0; w < workers; w++)
            {
                assertEquals(pending[w], dispatcher.pending(w), "pending of worker " + w + " at step " + step);
                assertEquals(offline[w], dispatcher.isOffline(w), "offline flag of worker " + w + " at step " + step);
            }
            assertEquals(anyRoom(), dispatcher.anyRoom(), "anyRoom at step " + step);
            checkInternals(dispatcher, step);
            assertNoFault();
        }
    }

    /**
     * A built-in policy's own invariant (the least-loaded heap's), checked after every step.
     */
    void checkInternals(final Dispatcher dispatcher, final int step)
    {
    }
}
