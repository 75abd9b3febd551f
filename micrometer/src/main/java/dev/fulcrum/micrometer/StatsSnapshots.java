package dev.fulcrum.micrometer;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;

import java.util.function.LongSupplier;

/**
 * Where every meter of one {@link FulcrumMetrics} reads from: one {@link BalancerStats} snapshot shared by all the
 * meters read within {@code maxAgeNs} of it. A scrape reads every meter one after another, and a snapshot copies
 * every worker's counters (it allocates a few arrays of {@code maxWorkers}), so one snapshot per meter would cost a
 * scrape of a large pool thousands of copies; with the window, a scrape costs about one.
 * <p>
 * Threading: any thread that reads a meter (a scrape, a registry's publishing thread), several at once. The latest
 * snapshot is one volatile reference to an immutable pair; two readers racing past the window may both take a new
 * snapshot, which costs a copy and is otherwise harmless. Nothing here runs on, or waits for, an engine thread.
 */
final class StatsSnapshots
{
    private final Balancer<?, ?> balancer;
    private final long maxAgeNs;
    private final LongSupplier nanoClock;
    private volatile Taken latest;

    /**
     * @param balancer  whose counters to read.
     * @param maxAgeNs  how long one snapshot serves; 0 takes a new one on every read.
     * @param nanoClock a monotonic clock in nanoseconds ({@link System#nanoTime()} but in tests).
     */
    StatsSnapshots(final Balancer<?, ?> balancer, final long maxAgeNs, final LongSupplier nanoClock)
    {
        this.balancer = balancer;
        this.maxAgeNs = maxAgeNs;
        this.nanoClock = nanoClock;
    }

    /**
     * @return a snapshot taken at most {@code maxAgeNs} ago, by this call if the latest one is older.
     */
    BalancerStats stats()
    {
        final long nowNs = nanoClock.getAsLong(); // read before the copy, so a snapshot is never older than its age
        final Taken taken = latest;
        if (null != taken && nowNs - taken.atNs < maxAgeNs)
        {
            return taken.stats;
        }
        final BalancerStats stats = balancer.stats();
        latest = new Taken(stats, nowNs);
        return stats;
    }

    /**
     * @return the balancer read.
     */
    Balancer<?, ?> balancer()
    {
        return balancer;
    }

    private static final class Taken
    {
        final BalancerStats stats;
        final long atNs;

        Taken(final BalancerStats stats, final long atNs)
        {
            this.stats = stats;
            this.atNs = atNs;
        }
    }
}
