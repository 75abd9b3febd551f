package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract suite can fail: each broken chooser below fails the check written for its fault, with the
 * balancer's message about it.
 */
class PolicyContractSelfTest
{
    @Test
    void shouldFailAChooserThatChoosesAFullWorker()
    {
        final PolicyContract contract = contractOf(v -> new LowestIndex(v, false));
        assertFails(contract::shouldSelectAWorkerWithRoomUntilAllAreFull, "is full");
    }

    @Test
    void shouldFailAChooserThatChoosesAnOfflineWorker()
    {
        final PolicyContract contract = contractOf(v -> new LowestIndex(v, true));
        assertFails(contract::shouldNeverSelectAnOfflineWorkerAndKeepItsPendingWhenWorkersGoOfflineAtRandom,
            "is offline");
        assertFails(contractOf(v -> new LowestIndex(v, true))
            ::shouldChooseOnlySlotsWithAWorkerWhileTheOthersWaitForWorkersAddedLater, "is offline");
    }

    @Test
    void shouldFailChoosersThatShareTheirStateBetweenBalancers()
    {
        final int[] shared = new int[5]; // every chooser of the policy counts into the same array
        final PolicyContract contract = contractOf(v -> new SharedCounts(v, shared));
        assertFails(contract::shouldKeepNoStateSharedBetweenTwoBalancersOfOnePolicy, "broke its contract");
    }

    @Test
    void shouldFailAChooserThatThrowsOnAStrangeRoundTrip()
    {
        final PolicyContract contract = contractOf(v -> new ThrowsOnZeroRoundTrip(v));
        assertFails(contract::shouldTakeRoundTripsOfAnySizeAndClocksThatSkewWithoutABrokenChoice,
            "onRoundTrip(");
    }

    private static void assertFails(final Executable check, final String expected)
    {
        final AssertionError error = assertThrows(AssertionError.class, check);
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }

    private static PolicyContract contractOf(final Function<WorkerView, WorkerChooser> factory)
    {
        return new PolicyContract()
        {
            @Override
            protected Policy policy()
            {
                return Policy.custom("broken", factory);
            }
        };
    }

    /**
     * The lowest-index worker that is not full by its own count; optionally blind to offline workers, and always
     * blind to the count the balancer keeps.
     */
    private static class LowestIndex extends WorkerChooser
    {
        final WorkerView view;
        final boolean ignoresOffline;

        LowestIndex(final WorkerView view, final boolean ignoresOffline)
        {
            this(view, ignoresOffline, false);
        }

        LowestIndex(final WorkerView view, final boolean ignoresOffline, final boolean roundTripTimes)
        {
            super(roundTripTimes);
            this.view = view;
            this.ignoresOffline = ignoresOffline;
        }

        @Override
        protected int choose()
        {
            if (!ignoresOffline)
            {
                return 0; // full soon enough
            }
            for (int w = 0; w < view.workers(); w++)
            {
                if (view.pending(w) < view.maxPending())
                {
                    return w;
                }
            }
            return -1;
        }
    }

    /**
     * Least loaded by counts it keeps in an array every chooser of the policy shares.
     */
    private static final class SharedCounts extends WorkerChooser
    {
        final WorkerView view;
        final int[] counts;

        SharedCounts(final WorkerView view, final int[] counts)
        {
            this.view = view;
            this.counts = counts;
        }

        @Override
        protected int choose()
        {
            int best = -1;
            for (int w = 0; w < view.workers(); w++)
            {
                if (!view.isOffline(w) && counts[w] < view.maxPending() && (best < 0 || counts[w] < counts[best]))
                {
                    best = w;
                }
            }
            return best;
        }

        @Override
        protected void onDispatch(final int worker)
        {
            counts[worker]++;
        }

        @Override
        protected void onComplete(final int worker)
        {
            counts[worker]--;
        }
    }

    private static final class ThrowsOnZeroRoundTrip extends LowestIndex
    {
        ThrowsOnZeroRoundTrip(final WorkerView view)
        {
            super(view, false, true);
        }

        @Override
        protected int choose()
        {
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
        protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
        {
            if (0 == roundTripNs)
            {
                throw new ArithmeticException("/ by zero");
            }
        }
    }
}
