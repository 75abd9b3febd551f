package dev.fulcrum.spi;

import dev.fulcrum.WorkerChooser;
import dev.fulcrum.WorkerView;

/*
 * The README's example of a policy of your own, compiled here and run through the contract suite
 * ({@link LastRoundTripContractTest}) and a balancer ({@link CustomPolicySteppingTest}); {@link ReadmePolicyTest}
 * checks that the README still shows it as it is. Public API only: this package is not {@code dev.fulcrum}.
 */
// readme-policy-start
/** The worker with the lowest last round trip x (pending + 1); one that has not answered yet counts 1 ns. */
final class LastRoundTrip extends WorkerChooser
{
    private final WorkerView workers;
    private final long[] lastNs;

    LastRoundTrip(final WorkerView workers)
    {
        super(true);                               // round-trip times, please
        this.workers = workers;
        this.lastNs = new long[workers.workers()]; // sized once, for every slot a worker may ever take
    }

    @Override
    protected int choose()                         // called only while some worker has room
    {
        int best = -1;
        double bestLoad = Double.MAX_VALUE;
        for (int w = 0; w < workers.workers(); w++)
        {
            final double load = Math.max(1, lastNs[w]) * (workers.pending(w) + 1.0);
            if (workers.hasRoom(w) && load < bestLoad) // never a full or offline worker
            {
                best = w;
                bestLoad = load;
            }
        }
        return best;
    }

    @Override
    protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
    {
        lastNs[worker] = roundTripNs;
    }
}
// readme-policy-end
