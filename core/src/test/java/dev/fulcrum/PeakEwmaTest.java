package dev.fulcrum;

import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peak EWMA step by step on a clock the test moves: costs, the choices they lead to, the peak, the decay back, the
 * fading of an idle worker's cost and the probing of a worker with no sample. The dispatcher is not attached to a
 * balancer, so a broken choice would throw here.
 */
class PeakEwmaTest
{
    private static final long TAU_NS = 1_000_000L;
    private static final long T = 5_000_000_000L;

    private final Clock clock = new Clock();
    private PeakEwmaChooser chooser;

    private Dispatcher peakEwma(final int workers, final int maxPending)
    {
        return ChooserDispatcher.create("peakEwma", view -> chooser = new PeakEwmaChooser(view, TAU_NS, clock),
            workers, maxPending);
    }

    @Test
    void shouldFillTheFastWorkerUntilItsPendingOutweighsTheSlowOnesCost()
    {
        final Dispatcher d = peakEwma(2, 16);
        teach(d, 0, 10_000);
        teach(d, 1, 95_000);
        // worker 1 is idle at 95 us; worker 0 costs 10 us x (pending + 1): 10, 20, ... 90 us are cheaper, 100 us not
        for (int i = 0; i < 9; i++)
        {
            assertEquals(0, dispatch(d), "dispatch " + i + ", worker 0 has " + d.pending(0) + " pending");
        }
        assertEquals(1, dispatch(d));
    }

    @Test
    void shouldMoveWorkToTheFastWorkerWhenTheOtherSlowsDown()
    {
        final Dispatcher d = peakEwma(2, 16);
        busy(d, 0, 10_000);
        busy(d, 1, 10_000);
        // equal costs: the fewer pending wins, the lower index among equals
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));
        assertEquals(0, dispatch(d));
        assertEquals(1, dispatch(d));

        // worker 1's next request takes 200 us: its cost jumps, and worker 0 takes everything until it is full
        d.onDispatch(1);
        complete(d, 1, 200_000, T + 200_000);
        assertEquals(200_000.0, chooser.costNs(1));
        while (d.pending(0) < 16)
        {
            assertEquals(0, dispatch(d), "worker 0 at " + d.pending(0) + " pending");
        }
        assertEquals(1, dispatch(d), "worker 0 is full: the slow one is the only one with room");
    }

    @Test
    void shouldTakeAPeakAtOnceAndDecayBackOverTauOfFastSamples()
    {
        final Dispatcher d = peakEwma(2, 8);
        busy(d, 0, 10_000);
        busy(d, 1, 20_000);
        assertEquals(0, d.select(), "10 us against 20 us, equal pending");

        d.onDispatch(0);
        complete(d, 0, 500_000, T + 500_000);
        assertEquals(500_000.0, chooser.costNs(0), "a sample above the cost is the cost at once");
        assertEquals(1, d.select());

        // fast samples a tau apart: cost = cost / e + 10 us (1 - 1 / e); under 20 us after the fourth
        double expected = 500_000.0;
        for (int k = 1; k <= 4; k++)
        {
            d.onDispatch(0); // keep worker 0 busy (two pending), so that only the samples move its cost
            complete(d, 0, 10_000, T + 500_000 + k * TAU_NS);
            expected = expected * Math.exp(-1) + 10_000 * (1 - Math.exp(-1));
            assertEquals(expected, chooser.costNs(0), 1e-6, "cost after fast sample " + k);
            assertEquals(k < 4 ? 1 : 0, d.select(), "choice after fast sample " + k + ", cost " + expected);
        }
        assertTrue(expected > 10_000 && expected < 20_000, "decayed back towards 10 us: " + expected);
    }

    @Test
    void shouldTakeTheTimeOnTheWorkerNotTheWaitInItsQueueAsTheSample()
    {
        final Dispatcher d = peakEwma(1, 4);
        teach(d, 0, 10_000);
        // three requests at once: each runs 10 us, the third waits 20 us behind the first two
        d.onDispatch(0);
        d.onDispatch(0);
        d.onDispatch(0);
        for (int k = 1; k <= 3; k++)
        {
            complete(d, 0, k * 10_000L, T + k * 10_000L);
            assertEquals(10_000.0, chooser.costNs(0), 1e-6, "a round trip of " + k * 10 + " us, 10 us on the worker");
        }
        // idle, then one request that takes 30 us: its round trip, all of it on the worker
        d.onDispatch(0);
        complete(d, 0, 30_000, T + TAU_NS);
        assertEquals(30_000.0, chooser.costNs(0), 1e-6);
    }

    @Test
    void shouldBlendASampleBelowTheCostByTheTimeSinceTheLastOne()
    {
        final Dispatcher d = peakEwma(1, 4);
        busy(d, 0, 100_000);
        d.onDispatch(0);
        complete(d, 0, 50_000, T); // no time since the last sample: weight 1 on the old cost
        assertEquals(100_000.0, chooser.costNs(0), 1e-9);
        d.onDispatch(0);
        complete(d, 0, 50_000, T + TAU_NS / 2);
        assertEquals(100_000 * Math.exp(-0.5) + 50_000 * (1 - Math.exp(-0.5)), chooser.costNs(0), 1e-6);
    }

    @Test
    void shouldTryAShunnedIdleWorkerAgainOnceItsCostHasFaded()
    {
        final Dispatcher d = peakEwma(2, 4);
        busy(d, 0, 10_000); // 10 us x 2 = 20 us, busy, so it does not fade
        teach(d, 1, 1_000_000); // a 1 ms spike, then idle
        assertEquals(0, d.select());
        clock.nowNs = T + 3_900_000; // 1 ms x exp(-3.9) = 20.2 us
        assertEquals(0, d.select(), "not faded enough yet");
        clock.nowNs = T + 4_000_000; // 1 ms x exp(-4) = 18.3 us
        assertEquals(1, d.select(), "faded below the busy worker's load");

        d.onDispatch(1);
        assertEquals(1_000_000 * Math.exp(-4), chooser.costNs(1), 1e-6, "the fading is folded in when it takes work");
        assertEquals(0, d.select(), "now busy: 18.3 us x 2 against 20 us");
    }

    @Test
    void shouldFadeAnIdleWorkerNoLowerThanTheCheapestSoThatItIsNotFloodedBeforeItAnswers()
    {
        final Dispatcher d = peakEwma(2, 8);
        busy(d, 0, 10_000);
        teach(d, 1, 40_000); // four times slower, then idle for a hundred tau: faded to worker 0's 10 us, no lower
        clock.nowNs = T + 100 * TAU_NS;
        assertEquals(1, dispatch(d), "idle at 10 us against busy 10 us x 2");
        assertEquals(10_000.0, chooser.costNs(1), 1e-6, "the fading folded in stops at the cheapest worker's cost");
        // faded to a quarter, its cost is a guess: it holds a probe and takes nothing more until that answers
        // (faded towards zero, it would take all 8 it has room for)
        for (int i = 0; i < 7; i++)
        {
            assertEquals(0, dispatch(d), "dispatch " + i + " while worker 1's probe is out");
        }
        assertEquals(1, dispatch(d), "worker 0 is full: the probing one is the only one with room");

        // the probe answers in 10 us: worker 1 is an equal again
        complete(d, 1, 10_000, T + 100 * TAU_NS + 10_000);
        complete(d, 1, 10_000, T + 100 * TAU_NS + 20_000);
        complete(d, 0, 10_000, T + 100 * TAU_NS + 20_000);
        assertEquals(1, dispatch(d), "7 pending on worker 0 at 10 us against none on worker 1");
        assertEquals(1, dispatch(d), "answered: ranked by its cost again (10 us x 2 against x 8), not held back");
    }

    @Test
    void shouldFadeOverSixteenOfTheCheapestServiceTimesWhereThatIsLongerThanTau()
    {
        final Dispatcher d = peakEwma(2, 4);
        busy(d, 0, 250_000); // 250 us x 2 = 500 us; 16 x 250 us = 4 ms fading time, longer than tau's 1 ms
        teach(d, 1, 1_000_000); // four times slower, idle
        clock.nowNs = T + 2_700_000; // 1 ms x exp(-2.7 / 4) = 509 us (with tau's 1 ms it would be 67 us)
        assertEquals(0, d.select(), "not faded enough yet");
        clock.nowNs = T + 2_800_000; // 1 ms x exp(-2.8 / 4) = 497 us
        assertEquals(1, d.select(), "faded below the busy worker's load");
        d.onDispatch(1);
        assertEquals(1_000_000 * Math.exp(-0.7), chooser.costNs(1), 1e-6, "the same fading folded in");
    }

    @Test
    void shouldProbeAWorkerWithNoSampleOnceThenRankItLastUntilItAnswers()
    {
        final Dispatcher d = peakEwma(3, 4);
        teach(d, 0, 10_000);
        teach(d, 1, 50_000);
        assertEquals(2, dispatch(d), "worker 2 has no sample and holds nothing: one probe, first");
        // worker 2 holds its probe: every worker with a sample comes first, though worker 2 has fewer pending
        for (int i = 0; i < 4; i++)
        {
            assertEquals(0, dispatch(d), "10 us x " + (i + 1) + " against 50 us");
        }
        for (int i = 0; i < 4; i++)
        {
            assertEquals(1, dispatch(d), "worker 0 is full");
        }
        assertEquals(2, dispatch(d), "only the unknown worker has room");

        complete(d, 2, 5_000, T); // its first answer: 5 us, one still pending
        complete(d, 0, 10_000, T); // worker 0 down to 3 pending: 40 us
        assertEquals(2, d.select(), "5 us x 2 against 40 us");
    }

    @Test
    void shouldSpreadRequestsAsLeastLoadedDoesBeforeAnyAnswer()
    {
        final Dispatcher d = peakEwma(3, 4);
        final int[] expected = {0, 1, 2, 0, 1, 2, 0, 1, 2};
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], dispatch(d), "dispatch " + i);
        }
    }

    @Test
    void shouldNeverChooseAnOfflineWorkerHoweverCheap()
    {
        final Dispatcher d = peakEwma(3, 4);
        teach(d, 0, 1_000);
        teach(d, 1, 50_000);
        teach(d, 2, 90_000);
        d.offline(0, true);
        assertEquals(1, d.select());
        d.offline(1, true);
        assertEquals(2, d.select());
        d.offline(0, false);
        assertEquals(0, d.select(), "back online, the cheapest again");
    }

    @Test
    void shouldRefuseADecayTimeThatIsNotPositiveOrTooLong()
    {
        final NullPointerException none = assertThrows(NullPointerException.class, () -> Policy.peakEwma(null));
        assertEquals("tau must not be null: tau=null", none.getMessage());
        for (final Duration bad : new Duration[]{Duration.ZERO, Duration.ofNanos(-1), Duration.ofHours(1).plusNanos(1)})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Policy.peakEwma(bad));
            assertTrue(ex.getMessage().contains("tau=" + bad), ex.getMessage());
        }
        assertEquals("peakEwma", Policy.peakEwma(Duration.ofNanos(1)).name());
        assertEquals("peakEwma", Policy.peakEwma(Policy.MAX_PEAK_EWMA_TAU).name());
        assertEquals("peakEwma", Policy.byName("peakEwma").name());
    }

    @Test
    void shouldAskTheBalancerForRoundTripTimes()
    {
        assertTrue(Policy.peakEwma().newDispatcher(2, 2).timed);
        assertTrue(!Policy.leastLoaded().newDispatcher(2, 2).timed, "the built-in policies pay nothing for times");
    }

    /**
     * One request run on {@code worker} at time T with the given round trip: it is left idle with that cost.
     */
    private void teach(final Dispatcher d, final int worker, final long roundTripNs)
    {
        clock.nowNs = T;
        d.onDispatch(worker);
        complete(d, worker, roundTripNs, T);
        assertEquals(0, d.pending(worker));
    }

    /**
     * As {@link #teach}, but leaving one request pending, so the worker is busy and its cost does not fade.
     */
    private void busy(final Dispatcher d, final int worker, final long roundTripNs)
    {
        clock.nowNs = T;
        d.onDispatch(worker);
        d.onDispatch(worker);
        complete(d, worker, roundTripNs, T);
        assertEquals(1, d.pending(worker));
    }

    private static void complete(final Dispatcher d, final int worker, final long roundTripNs, final long nowNs)
    {
        d.onComplete(worker);
        d.onRoundTrip(worker, roundTripNs, nowNs);
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

    private static final class Clock implements NanoClock
    {
        long nowNs = T;

        @Override
        public long nanoTime()
        {
            return nowNs;
        }
    }
}
