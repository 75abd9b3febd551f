package dev.fulcrum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dispatch order each policy promises, step by step.
 */
class PolicyOrderTest
{
    @Test
    void shouldPickLeastPendingWithLowestIndexOnTiesWhenLeastLoaded()
    {
        final Dispatcher d = Policy.leastLoaded().newDispatcher(3, 10);
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
        assertEquals(2, dispatch(d));
        assertEquals(0, dispatch(d));
        d.onComplete(0);
        d.onComplete(0);
        // pending [0, 1, 1]
        assertEquals(0, dispatch(d));
        assertEquals(0, dispatch(d));
        // pending [2, 1, 1]
        assertEquals(1, dispatch(d));
        d.onComplete(2);
        // pending [2, 2, 0]
        assertEquals(2, dispatch(d));
        assertEquals(2, dispatch(d));
    }

    @Test
    void shouldTakeTurnsSkippingFullWorkersWhenRoundRobin()
    {
        final Dispatcher d = Policy.roundRobin().newDispatcher(3, 2);
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
        assertEquals(2, dispatch(d));
        assertEquals(0, dispatch(d));
        // pending [2, 1, 1]: worker 0 is full, so the turn after 1 and 2 skips it
        assertEquals(1, dispatch(d));
        assertEquals(2, dispatch(d));
        assertEquals(-1, d.select());
        d.onComplete(1);
        assertEquals(1, dispatch(d));
    }

    @Test
    void shouldServeIdleWorkersInTheOrderTheyBecameIdleWhenJoinIdleQueue()
    {
        final Dispatcher d = Policy.joinIdleQueue().newDispatcher(3, 99);
        assertEquals(1, d.maxPending, "join idle queue takes one request per worker whatever the builder says");
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
        assertEquals(2, dispatch(d));
        assertEquals(-1, d.select());
        d.onComplete(2);
        d.onComplete(0);
        assertEquals(2, dispatch(d));
        d.onComplete(1);
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
    }

    @Test
    void shouldTakeTheWorkerBoundToAKeyOutOfTheMiddleOfTheIdleListWhenJoinIdleQueue()
    {
        final Dispatcher d = Policy.joinIdleQueue().newDispatcher(4, 1);
        d.onDispatch(2);
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
        assertEquals(3, dispatch(d));
        assertEquals(-1, d.select());
    }

    @Test
    void shouldPickTheLessLoadedOfTwoAndRepeatWithTheSameSeedWhenPowerOfTwoChoices()
    {
        final Dispatcher a = Policy.powerOfTwoChoices(5).newDispatcher(8, 4);
        final Dispatcher b = Policy.powerOfTwoChoices(5).newDispatcher(8, 4);
        for (int i = 0; i < 32; i++)
        {
            final int wa = dispatch(a);
            assertEquals(wa, dispatch(b), "same seed, same choices");
        }
        assertEquals(-1, a.select());

        // with two workers both are always drawn: the less loaded one must win
        final Dispatcher two = Policy.powerOfTwoChoices(9).newDispatcher(2, 100);
        for (int i = 0; i < 50; i++)
        {
            dispatch(two);
            assertTrue(Math.abs(two.pending(0) - two.pending(1)) <= 1, "pending " + two.pending(0) + "/" +
                two.pending(1));
        }
    }

    @Test
    void shouldFindEveryPolicyByItsOwnName()
    {
        for (final String name : Policy.NAMES)
        {
            assertEquals(name, Policy.byName(name).name());
        }
    }

    private static int dispatch(final Dispatcher d)
    {
        final int w = d.select();
        if (w >= 0)
        {
            d.onDispatch(w);
        }
        return w;
    }
}
