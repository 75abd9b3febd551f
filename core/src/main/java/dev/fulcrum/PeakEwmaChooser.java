package dev.fulcrum;

import org.agrona.concurrent.NanoClock;

/**
 * Finagle's Peak EWMA, written on the public policy interface alone ({@link WorkerChooser}, {@link WorkerView}): each
 * worker's cost is a peak-sensitive, exponentially weighted moving average of its requests' service times, its load
 * is {@code cost * (pending + 1)}, and the choice is the online worker with room and the lowest load, the lowest
 * index among equals.
 * <ul>
 * <li>A sample is a request's time on its worker as the balancer sees it: its round trip (dispatch to the balancer
 * taking its completion), or, when it waited in the worker's queue behind another, the time since the balancer took
 * that one's completion, whichever is shorter. Finagle's samples are round trips, right where a server serves its
 * requests side by side; a worker here runs its queue one request at a time, so a round trip also holds the wait
 * behind the {@code pending} requests that the load multiplies by already, and a worker with a queue would be
 * charged for it twice: a slow worker's long queue and a fast worker's long queue would look alike.</li>
 * <li>A sample above the cost becomes the cost at once (a latency spike is believed immediately); one below it is
 * blended in, {@code cost = cost * w + sample * (1 - w)} with {@code w = exp(-elapsed / tau)}, {@code elapsed} the
 * time since the worker's previous sample, so the cost comes back down over about {@code tau} of good samples.</li>
 * <li>While a worker is idle (nothing pending) its cost fades, counted from its last sample, down to the cheapest
 * online worker's cost and no lower, so that a worker shunned after a spike is tried again once it has been idle a
 * while (after a spike a hundred times the others' cost, about {@code ln(100)} fading times). The fading time is
 * {@code tau}, or 16 of the cheapest worker's service times where that is longer: a decay that suits microsecond tasks
 * forgets a worker four times slower than the others within four tasks of 250 us; counted in tasks, the memory is the
 * same at every task length. The fading is folded into its cost when it next takes work. The floor matters: a cost
 * faded towards zero (Finagle's fading) makes a slow worker, idle for a while, the cheapest by far, and a full scan
 * then hands it every request until its first answer, up to the binding cap, which is exactly the tail a slow worker
 * should not get. A cost that faded to half or less is a guess, not a measure: the worker takes one request on it, a
 * probe, and then ranks after every worker with a sample, as a new worker does, until that probe answers. A worker with
 * work in hand does not fade: it will report soon, and a worker stuck in a long task must not look cheaper the longer
 * it is stuck.</li>
 * <li>Starting cost: none. A worker with no sample yet (at the start, or added later) that holds nothing is chosen
 * before any other, as a cost of 0 would rank it: one probe to learn its cost. Once it holds that probe it ranks
 * after every worker with a sample (Finagle's penalty) until its first answer, so an unknown worker is not flooded
 * before it has answered; among such workers the fewest pending wins, so at the start, before any answer, the
 * policy spreads requests as least-loaded does.</li>
 * <li>Costs are floored at 1 ns, so that pending always counts.</li>
 * </ul>
 * Cost per choice: O(online workers), a scan of a dense list of them that compares logarithms ({@code ln cost +
 * ln(pending + 1)}, the second from a table), so the scan itself needs no {@code exp}; one clock read when an idle
 * worker with a sample is among them, and then a second scan, for the floor, if a sample came in or a worker went
 * offline or online since the last. Per request besides: one {@code exp} when it makes an idle worker busy, one
 * {@code exp} and one {@code log} at its completion, and the two clock reads the balancer makes to time it. No
 * allocation after construction: the arrays are sized for every worker slot and for {@code 0..maxPending}.
 */
final class PeakEwmaChooser extends WorkerChooser
{
    private static final int PROBE = 0;
    private static final int SAMPLED = 1;
    private static final int AWAITING_ANSWER = 2;
    private static final int NONE = 3;
    private static final double LN_2 = Math.log(2);
    /** An idle worker fades over at least this many of the cheapest worker's service times. */
    static final double FADE_TASKS = 16;

    private final WorkerView workers;
    private final NanoClock clock;
    private final double inverseTauNs;
    /** The cost at {@link #stampNs}, in ns; at least 1 once sampled. */
    private final double[] costNs;
    private final double[] lnCost;
    private final long[] stampNs;
    /** When the balancer took the worker's previous completion of a request that ran. */
    private final long[] previousCompletionNs;
    private final boolean[] sampled;
    /** Its cost faded to half or less before it took its last request: it holds a probe, and waits for the answer. */
    private final boolean[] reprobing;
    private final double[] lnPendingPlusOne;
    /** The online workers, densely, and each one's place in that list. */
    private final int[] online;
    private final int[] positions;
    private int onlineCount;
    /** The cheapest online worker's {@code ln cost}, and the idle fading per ns that follows from it, as
     * {@link #learnFloor()} last found them; good while {@link #floorKnown} (a sample and a worker going offline or
     * online can change them; a fold cannot, as it stops at the floor). */
    private double floorLn;
    private double fadePerNs;
    private boolean floorKnown;

    /**
     * @param workers the balancer's view.
     * @param tauNs   the decay time, in ns; positive.
     * @param clock   the time {@link #choose()} decays idle costs to, and the balancer's {@link System#nanoTime()}
     *                in production.
     */
    PeakEwmaChooser(final WorkerView workers, final long tauNs, final NanoClock clock)
    {
        super(true);
        this.workers = workers;
        this.clock = clock;
        this.inverseTauNs = 1.0 / tauNs;
        final int n = workers.workers();
        costNs = new double[n];
        lnCost = new double[n];
        stampNs = new long[n];
        previousCompletionNs = new long[n];
        sampled = new boolean[n];
        reprobing = new boolean[n];
        lnPendingPlusOne = new double[workers.maxPending() + 1];
        for (int p = 0; p < lnPendingPlusOne.length; p++)
        {
            lnPendingPlusOne[p] = Math.log(p + 1.0);
        }
        online = new int[n];
        positions = new int[n];
        for (int w = 0; w < n; w++)
        {
            online[w] = w;
            positions[w] = w;
        }
        onlineCount = n;
    }

    @Override
    protected int choose()
    {
        int best = -1;
        int bestRank = NONE;
        double bestKey = 0;
        long nowNs = 0;
        boolean haveNow = false;
        for (int i = 0; i < onlineCount; i++)
        {
            final int w = online[i];
            if (!workers.hasRoom(w))
            {
                continue;
            }
            final int pending = workers.pending(w);
            final int rank;
            final double key;
            if (sampled[w] && !(reprobing[w] && pending > 0))
            {
                rank = SAMPLED;
                if (0 == pending)
                {
                    if (!haveNow)
                    {
                        nowNs = clock.nanoTime();
                        haveNow = true;
                        if (!floorKnown)
                        {
                            learnFloor();
                        }
                    }
                    key = fadedLn(w, nowNs);
                }
                else
                {
                    key = lnCost[w] + lnPendingPlusOne[pending];
                }
            }
            else if (0 == pending)
            {
                rank = PROBE;
                key = 0;
            }
            else
            {
                rank = AWAITING_ANSWER;
                key = pending;
            }
            if (rank < bestRank || (rank == bestRank && (key < bestKey || (key == bestKey && w < best))))
            {
                best = w;
                bestRank = rank;
                bestKey = key;
            }
        }
        return best;
    }

    @Override
    protected void onDispatch(final int worker)
    {
        if (sampled[worker] && 1 == workers.pending(worker))
        {
            // idle until now: fold the fading it did while idle into its cost, and count the next sample from here
            final long nowNs = clock.nanoTime();
            if (!floorKnown)
            {
                learnFloor();
            }
            final double faded = fadedLn(worker, nowNs);
            reprobing[worker] = lnCost[worker] - faded >= LN_2;
            if (faded < lnCost[worker])
            {
                // no lower than the floor, so the floor stays: the cheapest worker does not fade
                lnCost[worker] = faded;
                costNs[worker] = Math.exp(faded);
            }
            stampNs[worker] = nowNs;
        }
    }

    @Override
    protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
    {
        // The worker runs its queue in order: a request that waited behind another started when that one completed
        // (as the balancer saw it), so its time on the worker is the time since then, when shorter than its round trip
        final long sincePrevious = completedNs - previousCompletionNs[worker];
        final double serviceNs = Math.max(1.0, sampled[worker] && sincePrevious >= 0 ?
            Math.min(roundTripNs, sincePrevious) : roundTripNs);
        previousCompletionNs[worker] = completedNs;
        reprobing[worker] = false;
        final double cost;
        if (!sampled[worker])
        {
            cost = serviceNs;
            sampled[worker] = true;
        }
        else if (serviceNs > costNs[worker])
        {
            cost = serviceNs; // the peak: believed at once
        }
        else
        {
            final double w = Math.exp(-Math.max(0L, completedNs - stampNs[worker]) * inverseTauNs);
            cost = Math.max(1.0, costNs[worker] * w + serviceNs * (1.0 - w));
        }
        costNs[worker] = cost;
        lnCost[worker] = Math.log(cost);
        stampNs[worker] = completedNs;
        floorKnown = false;
    }

    /**
     * @return the {@code ln cost} of an idle worker with a sample, faded since its last sample or fold, no lower
     *         than the floor ({@link #floorKnown} must hold).
     */
    private double fadedLn(final int worker, final long nowNs)
    {
        return Math.max(floorLn, lnCost[worker] - Math.max(0L, nowNs - stampNs[worker]) * fadePerNs);
    }

    /**
     * Find the lowest {@code ln cost} of the online workers with a sample, unfaded (0, a cost of 1 ns, when none),
     * and the fading per ns of an idle worker: {@code 1 / max(tau, FADE_TASKS * cheapest cost)}.
     */
    private void learnFloor()
    {
        double floor = Double.MAX_VALUE;
        for (int i = 0; i < onlineCount; i++)
        {
            final int w = online[i];
            if (sampled[w] && lnCost[w] < floor)
            {
                floor = lnCost[w];
            }
        }
        floorLn = Double.MAX_VALUE == floor ? 0.0 : floor;
        fadePerNs = Math.min(inverseTauNs, 1.0 / (FADE_TASKS * Math.exp(floorLn)));
        floorKnown = true;
    }

    @Override
    protected void onOfflineChanged(final int worker, final boolean offline)
    {
        final int at = positions[worker];
        if (offline && at < onlineCount)
        {
            final int last = online[--onlineCount];
            online[at] = last;
            positions[last] = at;
            online[onlineCount] = worker;
            positions[worker] = onlineCount;
        }
        else if (!offline && at >= onlineCount)
        {
            final int first = online[onlineCount];
            online[at] = first;
            positions[first] = at;
            online[onlineCount] = worker;
            positions[worker] = onlineCount++;
        }
        floorKnown = false;
    }

    /**
     * For tests: the cost as it stands since the worker's last sample or fold, without idle fading.
     *
     * @param worker a slot.
     * @return its cost in ns; 0 before its first sample.
     */
    double costNs(final int worker)
    {
        return costNs[worker];
    }
}
