package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The interval reader of every worker's {@link LatencyRecorder}: once per interval it ends each worker's interval
 * (recycling the previous one's histograms, so nothing is allocated) and publishes its count, p50, p99, p99.9 and
 * max per kind to {@link LatencyFigures}, both kinds of a worker in one publication.
 * <p>
 * Which thread: the watchdog's, when there is one ({@link Watchdog} calls {@link #doWork()} after each look, at
 * least every 5 ms, so an interval ends within a tick of being due); else a thread of its own,
 * {@code fulcrum-latency}, a daemon that sleeps until the next interval is due, at most 5 ms at a time so that a
 * close does not wait for it. Either way, one thread: a recorder has one interval reader.
 */
final class LatencyIntervals implements Agent
{
    /** The longest the own thread sleeps, so that it sees a stop within this. */
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final LatencyRecorder[] recorders;
    private final LatencyFigures figures;
    /** Where the figures are also written for other processes: the counters' eight latency counters per worker. */
    private final Counters counters;
    private final NanoClock clock;
    private final long intervalNs;
    /** Per worker, the scratch its figures are summarised into, used under that worker's recorder lock. */
    private final long[][] waitFigures;
    private final long[][] serviceFigures;
    /** What a reset slot publishes; never written. */
    private static final long[] NONE = new long[LatencyFigures.FIGURES];
    private long nextNs;

    /**
     * @param workers     slots, {@code maxWorkers}: a recorder for each, allocated now.
     * @param intervalNs  how long each interval lasts.
     * @param sampleEvery one request in this many (per worker) is a {@link RequestSampleEvent}; 0 for none.
     * @param clock       the interval's time (the watchdog's clock, which tests move by hand).
     * @param counters    whose latency counters get each interval's percentiles too.
     */
    LatencyIntervals(
        final int workers, final long intervalNs, final int sampleEvery, final NanoClock clock, final Counters counters)
    {
        this.counters = counters;
        recorders = new LatencyRecorder[workers];
        waitFigures = new long[workers][LatencyFigures.FIGURES];
        serviceFigures = new long[workers][LatencyFigures.FIGURES];
        for (int w = 0; w < workers; w++)
        {
            recorders[w] = new LatencyRecorder(w, sampleEvery);
        }
        figures = new LatencyFigures(workers);
        this.clock = clock;
        this.intervalNs = intervalNs;
        nextNs = clock.nanoTime() + intervalNs;
    }

    LatencyRecorder recorder(final int worker)
    {
        return recorders[worker];
    }

    LatencyFigures figures()
    {
        return figures;
    }

    /**
     * The interval reader's thread: end every worker's interval when one is due.
     *
     * @return workers whose interval was ended, 0 when none was due.
     */
    @Override
    public int doWork()
    {
        final long now = clock.nanoTime();
        if (now - nextNs < 0)
        {
            return 0;
        }
        nextNs = now + intervalNs;
        for (int w = 0; w < recorders.length; w++)
        {
            endInterval(w);
        }
        return recorders.length;
    }

    private void endInterval(final int worker)
    {
        final LatencyRecorder recorder = recorders[worker];
        synchronized (recorder) // against reset(worker): a reused slot never shows its previous worker's figures
        {
            final LatencyRecorder.Pair interval = recorder.takeInterval();
            summarise(interval.wait, waitFigures[worker]);
            summarise(interval.service, serviceFigures[worker]);
            figures.publish(worker, waitFigures[worker], serviceFigures[worker]);
            counters.latencies(worker, waitFigures[worker], serviceFigures[worker]);
        }
    }

    private static void summarise(final LogLinearHistogram histogram, final long[] into)
    {
        into[LatencyFigures.COUNT] = histogram.count();
        into[LatencyFigures.P50] = histogram.valueAtPercentile(50.0); // each 0 when the interval counts nothing
        into[LatencyFigures.P99] = histogram.valueAtPercentile(99.0);
        into[LatencyFigures.P999] = histogram.valueAtPercentile(99.9);
        into[LatencyFigures.MAX] = histogram.max();
    }

    /**
     * Pool caller, before a reused slot's new worker starts (its previous worker's thread has ended): start the
     * slot from nothing, its published figures zero.
     */
    void reset(final int worker)
    {
        final LatencyRecorder recorder = recorders[worker];
        synchronized (recorder)
        {
            recorder.reset();
            figures.publish(worker, NONE, NONE);
            counters.latencies(worker, NONE, NONE);
        }
    }

    /**
     * Any thread: a copy of one worker's last completed interval. Allocates; holds the worker's recorder only
     * while it copies the counts.
     *
     * @param service true for the time in service, false for the wait.
     * @return the copy.
     */
    LatencySnapshot snapshot(final int worker, final boolean service)
    {
        return recorders[worker].snapshotLatest(service);
    }

    /**
     * For the thread of its own (no watchdog): sleep until the next interval is due, at most {@link #MAX_PARK_NS}.
     */
    IdleStrategy idleStrategy()
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                if (workCount <= 0)
                {
                    idle();
                }
            }

            public void idle()
            {
                final long parkNs = Math.min(MAX_PARK_NS, nextNs - clock.nanoTime());
                if (parkNs > 0)
                {
                    LockSupport.parkNanos(parkNs);
                }
            }

            public void reset()
            {
            }
        };
    }

    @Override
    public String roleName()
    {
        return "fulcrum-latency";
    }
}
