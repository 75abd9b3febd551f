package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's chooser adapted onto the balancer's dispatcher: what it is told and when, what a broken choice or a
 * throw becomes, and what {@link Policy#custom} refuses.
 */
class ChooserDispatcherTest
{
    private final List<Throwable> faults = new ArrayList<>();

    @Test
    void shouldTellTheChooserOfEveryEventAfterTheBooksAreUpdated()
    {
        final Recording chooser = new Recording(true);
        final Dispatcher d = attached(Policy.custom("recording", v -> chooser.on(v)), 3, 2);
        d.offline(2, true);
        d.onDispatch(0);
        d.onDispatch(0);
        d.onComplete(0);
        d.onRoundTrip(0, 1_500, 9_000);
        d.onRoundTrip(0, -3, 9_001); // stamps from two threads' clocks: never less than 0 to the chooser
        d.offline(2, false);
        assertEquals(List.of("offline 2 true", "dispatch 0 pending=1", "dispatch 0 pending=2", "complete 0 pending=1",
            "roundTrip 0 1500 9000", "roundTrip 0 0 9001", "offline 2 false"), chooser.events);
        assertTrue(d.timed);
        assertTrue(faults.isEmpty());
    }

    @Test
    void shouldAskTheChooserOnlyWhileSomeWorkerHasRoomAndTimeOnlyWhenItAsks()
    {
        final Recording chooser = new Recording(false);
        final Dispatcher d = attached(Policy.custom("recording", v -> chooser.on(v)), 2, 1);
        assertFalse(d.timed);
        d.onDispatch(0);
        d.onDispatch(1);
        assertEquals(-1, d.select());
        assertEquals(0, chooser.chooseCalls, "every worker is full: nothing to ask");
        d.onComplete(1);
        assertEquals(1, d.select());
        assertEquals(1, chooser.chooseCalls);
    }

    @Test
    void shouldRefuseABrokenChoiceUseTheFallbackAndReportThe1st2nd4thAnd8th()
    {
        final Fixed chooser = new Fixed();
        final Dispatcher d = attached(Policy.custom("broken", v -> chooser), 4, 2);
        d.onDispatch(0);
        d.onDispatch(0);
        d.onDispatch(1);
        d.offline(3, true);
        // pending [2, 1, 0, 0 offline]: the fallback is worker 2, online with room and fewest pending

        chooser.answer = 0;
        assertEquals(2, d.select());
        assertEquals("policy broken broke its contract: chose worker 0, which is full (pending=2, cap=2); " +
            "the balancer used worker 2 instead (fault 1 of this balancer; the 1st, 2nd, 4th, 8th, ... are reported)",
            faults.get(0).getMessage());
        assertTrue(faults.get(0) instanceof PolicyFaultException);
        assertNull(faults.get(0).getCause());

        chooser.answer = 3;
        assertEquals(2, d.select());
        assertTrue(faults.get(1).getMessage().contains("chose worker 3, which is offline (stalled, leaving, gone or " +
            "not added yet; pending=0)"), faults.get(1).getMessage());

        chooser.answer = 4;
        assertEquals(2, d.select());
        chooser.answer = -1;
        assertEquals(2, d.select());
        assertEquals(3, faults.size(), "the 3rd fault is counted, not reported");
        assertTrue(faults.get(2).getMessage().contains("chose worker -1, which is not a worker (workers=4)") &&
            faults.get(2).getMessage().contains("(fault 4 of"), faults.get(2).getMessage());

        chooser.answer = 1;
        assertEquals(1, d.select(), "a right answer is taken as it is");
        for (int i = 0; i < 4; i++)
        {
            chooser.answer = 0;
            assertEquals(2, d.select());
        }
        assertEquals(4, faults.size());
        assertTrue(faults.get(3).getMessage().contains("(fault 8 of"), faults.get(3).getMessage());
        assertEquals(8, ((ChooserDispatcher)d).faultCount());
        assertEquals(2, d.pending(0), "nothing dispatched by a refusal");
    }

    @Test
    void shouldTakeAChooseThatThrowsAsABrokenChoiceWithItsCause()
    {
        final Fixed chooser = new Fixed();
        final Dispatcher d = attached(Policy.custom("throwing", v -> chooser), 3, 1);
        d.onDispatch(0);
        chooser.toThrow = new IllegalStateException("boom");
        assertEquals(1, d.select());
        final Throwable fault = faults.get(0);
        assertTrue(fault.getMessage().startsWith("policy throwing broke its contract: choose() threw " +
            "java.lang.IllegalStateException: boom; the balancer used worker 1 instead"), fault.getMessage());
        assertSame(chooser.toThrow, fault.getCause());

        chooser.toThrow = new StackOverflowError();
        assertEquals(1, d.select(), "an Error too");
        assertEquals(2, faults.size());
    }

    @Test
    void shouldReportAnEventThatThrowsAndKeepTheBooksExact()
    {
        final Fixed chooser = new Fixed();
        chooser.eventsThrow = true;
        final Dispatcher d = attached(Policy.custom("noisy", v -> chooser), 2, 3);
        d.onDispatch(1);          // fault 1, reported
        d.onComplete(1);          // 2, reported
        d.onDispatch(1);          // 3
        d.onRoundTrip(1, 10, 20); // 4, reported
        d.onDispatch(1);          // 5
        d.onComplete(1);          // 6
        d.offline(0, true);       // 7
        d.offline(0, false);      // 8, reported
        assertEquals(1, d.pending(1));
        assertFalse(d.isOffline(0));
        assertTrue(d.anyRoom());
        assertEquals(8, ((ChooserDispatcher)d).faultCount());
        assertEquals(4, faults.size());
        assertTrue(faults.get(0).getMessage().contains("onDispatch(1) threw java.lang.IllegalArgumentException: event"),
            faults.get(0).getMessage());
        assertTrue(faults.get(1).getMessage().contains("onComplete(1) threw"), faults.get(1).getMessage());
        assertTrue(faults.get(2).getMessage().contains("onRoundTrip(1, 10, 20) threw"), faults.get(2).getMessage());
        assertTrue(faults.get(3).getMessage().contains("onOfflineChanged(0, false) threw"), faults.get(3).getMessage());
    }

    @Test
    void shouldThrowTheFaultWhenNotAttachedToABalancer()
    {
        final Fixed chooser = new Fixed();
        final Dispatcher d = Policy.custom("alone", v -> chooser).newDispatcher(2, 1);
        d.onDispatch(0);
        chooser.answer = 0;
        final PolicyFaultException ex = assertThrows(PolicyFaultException.class, d::select);
        assertTrue(ex.getMessage().contains("chose worker 0, which is full"), ex.getMessage());
    }

    @Test
    void shouldRefuseAFactoryThatReturnsNullOrAChooserAlreadyInUse()
    {
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
            () -> Policy.custom("none", v -> null).newDispatcher(2, 1));
        assertEquals("policy factory returned null: policy=none", none.getMessage());

        final Fixed shared = new Fixed();
        final Policy sharing = Policy.custom("sharing", v -> shared);
        sharing.newDispatcher(2, 1);
        final IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
            () -> sharing.newDispatcher(2, 1));
        assertTrue(twice.getMessage().startsWith("policy factory must make a new chooser for each balancer, it " +
            "returned one already in use: policy=sharing, chooser="), twice.getMessage());
    }

    @Test
    void shouldRefuseANameThatIsMissingBlankOrBuiltInAndAMissingFactory()
    {
        assertEquals("name must not be null: name=null",
            assertThrows(NullPointerException.class, () -> Policy.custom(null, v -> new Fixed())).getMessage());
        assertEquals("factory must not be null: factory=null",
            assertThrows(NullPointerException.class, () -> Policy.custom("x", null)).getMessage());
        assertEquals("name must not be blank: name=\" \"",
            assertThrows(IllegalArgumentException.class, () -> Policy.custom(" ", v -> new Fixed())).getMessage());
        for (final String builtIn : Policy.NAMES)
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Policy.custom(builtIn, v -> new Fixed()));
            assertTrue(ex.getMessage().endsWith(": name=" + builtIn), ex.getMessage());
        }
        assertEquals("mine", Policy.custom("mine", v -> new Fixed()).name());
    }

    private Dispatcher attached(final Policy policy, final int workers, final int maxPending)
    {
        final Dispatcher d = policy.newDispatcher(workers, maxPending);
        d.reportFaultsTo(new EngineFaults(faults::add));
        return d;
    }

    /**
     * Writes down every call with what the view said at the time; chooses the first worker with room.
     */
    private static final class Recording extends WorkerChooser
    {
        final List<String> events = new ArrayList<>();
        WorkerView view;
        int chooseCalls;

        Recording(final boolean roundTripTimes)
        {
            super(roundTripTimes);
        }

        Recording on(final WorkerView view)
        {
            this.view = view;
            return this;
        }

        @Override
        protected int choose()
        {
            chooseCalls++;
            for (int w = 0; w < view.workers(); w++)
            {
                if (view.hasRoom(w))
                {
                    return w;
                }
            }
            return -1;
        }

        @Override
        protected void onDispatch(final int worker)
        {
            events.add("dispatch " + worker + " pending=" + view.pending(worker));
        }

        @Override
        protected void onComplete(final int worker)
        {
            events.add("complete " + worker + " pending=" + view.pending(worker));
        }

        @Override
        protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
        {
            events.add("roundTrip " + worker + " " + roundTripNs + " " + completedNs);
        }

        @Override
        protected void onOfflineChanged(final int worker, final boolean offline)
        {
            events.add("offline " + worker + " " + offline + (view.isOffline(worker) == offline ? "" : " (view disagrees)"));
        }
    }

    /**
     * Answers what the test says, throws what it says.
     */
    private static final class Fixed extends WorkerChooser
    {
        int answer;
        Throwable toThrow;
        boolean eventsThrow;

        Fixed()
        {
            super(true);
        }

        @Override
        protected int choose()
        {
            if (toThrow instanceof RuntimeException)
            {
                throw (RuntimeException)toThrow;
            }
            if (toThrow instanceof Error)
            {
                throw (Error)toThrow;
            }
            return answer;
        }

        @Override
        protected void onDispatch(final int worker)
        {
            throwIfAsked();
        }

        @Override
        protected void onComplete(final int worker)
        {
            throwIfAsked();
        }

        @Override
        protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
        {
            throwIfAsked();
        }

        @Override
        protected void onOfflineChanged(final int worker, final boolean offline)
        {
            throwIfAsked();
        }

        private void throwIfAsked()
        {
            if (eventsThrow)
            {
                throw new IllegalArgumentException("event");
            }
        }
    }
}
