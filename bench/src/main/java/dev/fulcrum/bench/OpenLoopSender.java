package dev.fulcrum.bench;

import org.HdrHistogram.Histogram;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The open loop of {@link LatencyHarness}'s open and balance parts: one sender at a fixed rate, with a ring of
 * {@code --slots} probes: a slot is reused only once its previous request has replied, which is then recorded;
 * whatever is left is drained at the end. The sender's thread only.
 */
final class OpenLoopSender
{
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final LatencyHarnessOptions options;
    private final Contender contender;
    private final double intervalNs;
    private final boolean heavyTail;
    private final SlowWorker slowWorker;
    private final boolean sampleVariance;
    private final Probe[] slots;
    private final int mask;
    private final SplittableRandom random = new SplittableRandom(42);
    final PendingVariance variance = new PendingVariance();
    /** Requests of the schedule never sent because the sender fell too far behind. */
    long unsent;
    /** The sender parks while its next send is more than this far off (0: it only yields). */
    private long parkAboveNs;

    OpenLoopSender(
        final LatencyHarnessOptions options,
        final Contender contender,
        final double rate,
        final boolean heavyTail,
        final boolean sampleVariance)
    {
        this(options, contender, rate, heavyTail, null, sampleVariance);
    }

    /**
     * The balance part's loop: heavy-tailed tasks, with {@code slowWorker} (null for none) stretching them on
     * one worker.
     */
    OpenLoopSender(
        final LatencyHarnessOptions options,
        final Contender contender,
        final double rate,
        final SlowWorker slowWorker,
        final boolean sampleVariance)
    {
        this(options, contender, rate, true, slowWorker, sampleVariance);
    }

    private OpenLoopSender(
        final LatencyHarnessOptions options,
        final Contender contender,
        final double rate,
        final boolean heavyTail,
        final SlowWorker slowWorker,
        final boolean sampleVariance)
    {
        this.options = options;
        this.contender = contender;
        this.intervalNs = 1e9 / rate;
        this.heavyTail = heavyTail;
        this.slowWorker = slowWorker;
        this.sampleVariance = sampleVariance;
        slots = new Probe[options.slots];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new Probe();
            slots[i].reply = Probe.STAMPING_REPLY;
        }
        mask = slots.length - 1;
    }

    /**
     * Send for {@code ms} of intended send times (or, unpaced, of wall time), then wait for every reply.
     * Where the engine cannot keep up the sender falls behind its schedule; it then sends at once, and each
     * request is still timed from its intended send time. A sender more than {@code ms} behind stops, and the
     * requests it never sent are counted in {@link #unsent}.
     *
     * @return requests sent.
     */
    long run(final long ms, final Histogram histogram)
    {
        final boolean paced = intervalNs > 0;
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(ms);
        final long sampleNs = TimeUnit.MICROSECONDS.toNanos(options.sampleUs);
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        final long hardEndNs = paced ? endNs + durationNs : endNs;
        long nextSampleNs = startNs + sampleNs;
        long sent = 0;
        while (sent < options.maxRequests)
        {
            final long intendedNs = paced ? startNs + (long)(sent * intervalNs) : System.nanoTime();
            if (paced && intendedNs - endNs >= 0)
            {
                break;
            }
            long nowNs;
            while ((nowNs = System.nanoTime()) - intendedNs < 0)
            {
                final long leftNs = intendedNs - nowNs;
                if (parkAboveNs > 0 && leftNs > parkAboveNs)
                {
                    LockSupport.parkNanos(leftNs - parkAboveNs); // wakes before the send time, however late
                }
                else
                {
                    Thread.yield();
                }
            }
            if (nowNs - hardEndNs >= 0)
            {
                if (paced)
                {
                    unsent = (long)(durationNs / intervalNs) - sent;
                }
                break;
            }
            final Probe probe = slots[(int)(sent & mask)];
            if (sent > mask)
            {
                reap(probe, histogram);
            }
            probe.serviceNs = heavyTail ? serviceNs() : 0;
            probe.parkService = heavyTail && options.parkTasks;
            probe.slowWorker = slowWorker;
            probe.input = sent;
            probe.intendedNs = intendedNs;
            probe.reset();
            contender.send(probe);
            sent++;
            if (sampleVariance && nowNs - nextSampleNs >= 0)
            {
                variance.add(contender.variancePending());
                nextSampleNs = nowNs + sampleNs;
            }
        }
        for (long s = Math.max(0, sent - slots.length); s < sent; s++)
        {
            reap(slots[(int)(s & mask)], histogram);
        }
        return sent;
    }

    /**
     * Park instead of yielding while the next send is more than {@code ns} away: a sender that yields for the
     * whole gap between sends holds a core that the workers are waiting for.
     *
     * @param ns a park's overshoot and a margin; 0 to yield only.
     * @return this loop.
     */
    OpenLoopSender parkAbove(final long ns)
    {
        parkAboveNs = ns;
        return this;
    }

    private long serviceNs()
    {
        return random.nextDouble() * 100 < options.longPercent ?
            options.shortNs * options.longFactor : options.shortNs;
    }

    private void reap(final Probe probe, final Histogram histogram)
    {
        final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (!probe.isDone())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new IllegalStateException("no reply within " +
                    TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) + " s: contender=" + contender.name());
            }
            Thread.yield();
        }
        AbstractCallbackContender.checkFailure(probe);
        if (null != histogram)
        {
            LatencyHarness.record(histogram, probe.completedNs - probe.intendedNs);
        }
    }
}
