package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The stall detector, an agent on a thread of its own (a daemon that sleeps between looks): every tick it reads
 * each worker's activity count ({@link Counters#ACTIVITY}, odd while the worker is in user code). An odd count that
 * has not changed for the stall threshold is a stall: reported once through the error handler with the thread's
 * name, how long, and its stack trace (taken here, off the balancer, because it allocates), and posted to the
 * balancer ({@link StallNotices}), which stops choosing the worker and moves its queued work. A count that moves
 * again is a recovery, posted too.
 * <p>
 * When the thread that runs the balancer's duty cycle is the one stuck (worker 0's in SHARED mode, or the balancer
 * thread delivering an engine error to a reply that blocks), the watchdog runs the duty cycle itself, through the
 * baton, until that thread comes back, so dispatch to the other workers never stops.
 * <p>
 * A stall is seen no earlier than the threshold and no later than the threshold plus one tick after the task
 * started (the watchdog first sees a task within a tick of its start, then wakes exactly when it would pass the
 * threshold); the tick is an eighth of the threshold, between 1 and 5 ms.
 */
final class Watchdog implements Agent
{
    /** Which thread runs the balancer's duty cycle, for taking it over. */
    enum BalancerHost
    {
        /** Its own thread: watched through {@link Counters#BALANCER_ACTIVITY}. */
        OWN_THREAD,
        /** Worker 0's thread: watched through worker 0's activity. */
        WORKER_0,
        /** The application's thread: not the engine's to take over. */
        APPLICATION
    }

    private static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);

    private final BalancerAgent balancer;
    private final Counters counters;
    private final EngineFaults faults;
    private final NanoClock clock;
    private final long thresholdNs;
    private final long tickNs;
    private final BalancerHost host;
    private final Thread[] workerThreads;
    /** Latency intervals to end on this thread (their one reader); null when the histograms are off. */
    private final LatencyIntervals latencyIntervals;
    private final Outbox outbox = new Outbox(64);
    /** The counters derived off the hot path (ring depth, time in task, the error log), sampled on each look. */
    private final CountersSampler sampler;

    private final long[] lastActivity;
    private final long[] sinceNs;
    private final boolean[] stalled;
    private long balancerActivity;
    private long balancerSinceNs;
    private boolean balancerStuck;
    private long nextCheckNs;
    private int idleParks;

    Watchdog(
        final BalancerAgent balancer,
        final Counters counters,
        final EngineFaults faults,
        final NanoClock clock,
        final long thresholdNs,
        final BalancerHost host,
        final Thread[] workerThreads,
        final LatencyIntervals latencyIntervals,
        final CountersSampler sampler)
    {
        this.balancer = balancer;
        this.counters = counters;
        this.faults = faults;
        this.clock = clock;
        this.thresholdNs = thresholdNs;
        this.tickNs = tickNs(thresholdNs);
        this.host = host;
        this.workerThreads = workerThreads;
        this.latencyIntervals = latencyIntervals;
        this.sampler = sampler;
        final int workers = counters.workers();
        lastActivity = new long[workers];
        sinceNs = new long[workers];
        stalled = new boolean[workers];
        final long now = clock.nanoTime();
        for (int w = 0; w < workers; w++)
        {
            sinceNs[w] = now;
        }
        balancerSinceNs = now;
    }

    static long tickNs(final long thresholdNs)
    {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(5), thresholdNs / 8));
    }

    @Override
    public int doWork()
    {
        int work = 0;
        if (takingOver())
        {
            work += balancer.cycle(outbox);
            if (!outbox.isEmpty())
            {
                outbox.deliver(faults);
                Thread.interrupted(); // a reply delivered here must not leave the watchdog's flag set
            }
        }
        final long now = clock.nanoTime();
        if (now - nextCheckNs >= 0)
        {
            nextCheckNs = now + tickNs;
            work += check(now);
        }
        if (null != latencyIntervals)
        {
            work += latencyIntervals.doWork(); // after the look: stalls first
        }
        return work;
    }

    private boolean takingOver()
    {
        return (BalancerHost.WORKER_0 == host && stalled[0]) || balancerStuck;
    }

    /**
     * The watchdog's own idle strategy: sleep until the next look is due (the next tick, or sooner when a worker
     * seen in user code reaches the threshold then), or briefly while it runs the balancer's duty cycle.
     */
    IdleStrategy idleStrategy()
    {
        return new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                if (workCount > 0)
                {
                    idleParks = 0;
                }
                else
                {
                    idle();
                }
            }

            public void idle()
            {
                final long untilCheckNs = nextCheckNs - clock.nanoTime();
                final long parkNs = takingOver() ?
                    Math.min(untilCheckNs, MIN_PARK_NS << Math.min(idleParks++, 7)) : untilCheckNs;
                if (parkNs > 0)
                {
                    LockSupport.parkNanos(parkNs);
                }
            }

            public void reset()
            {
                idleParks = 0;
            }
        };
    }

    private int check(final long now)
    {
        int work = 0;
        for (int w = 0; w < lastActivity.length; w++)
        {
            final long activity = counters.worker(w, Counters.ACTIVITY);
            if (1 == (activity & 1) && activity == lastActivity[w])
            {
                if (!stalled[w] && now - sinceNs[w] >= thresholdNs)
                {
                    stalled[w] = true;
                    balancer.stallNotices.post(w, activity);
                    report(w, now - sinceNs[w]);
                    work++;
                }
                else if (!stalled[w])
                {
                    nextCheckNs = Math.min(nextCheckNs, sinceNs[w] + thresholdNs);
                }
            }
            else
            {
                lastActivity[w] = activity;
                sinceNs[w] = now;
                if (1 == (activity & 1))
                {
                    // in user code since about now: look again exactly when it would reach the threshold
                    nextCheckNs = Math.min(nextCheckNs, now + thresholdNs);
                }
                if (stalled[w])
                {
                    stalled[w] = false;
                    balancer.stallNotices.post(w, StallNotices.RECOVERED);
                    work++;
                }
            }
        }

        if (BalancerHost.APPLICATION != host)
        {
            // the thread that runs the balancer delivering engine errors to replies (user code) for too long
            final long activity = counters.balancer(Counters.BALANCER_ACTIVITY);
            if (1 == (activity & 1) && activity == balancerActivity)
            {
                balancerStuck = now - balancerSinceNs >= thresholdNs;
            }
            else
            {
                balancerActivity = activity;
                balancerSinceNs = now;
                balancerStuck = false;
            }
        }
        sampler.sample(now);
        return work;
    }

    private void report(final int worker, final long stalledNs)
    {
        final Thread thread = null == workerThreads ? null : workerThreads[worker];
        final String name = null == thread ? "fulcrum-worker-" + worker : thread.getName();
        final StackTraceElement[] stack = null == thread ? new StackTraceElement[0] : thread.getStackTrace();
        JfrEvents.stall(worker, name, stalledNs, thresholdNs);
        faults.report(new WorkerStalledException(
            "fulcrum: " + name + " has been in one task for " + TimeUnit.NANOSECONDS.toMillis(stalledNs) +
            " ms (stall threshold " + TimeUnit.NANOSECONDS.toMillis(thresholdNs) + " ms); it is chosen no more " +
            "and the requests queued behind the task move to other workers until it returns" +
            (BalancerHost.WORKER_0 == host && 0 == worker ? "; the watchdog runs the balancer meanwhile" : ""),
            stack));
    }

    long tickNs()
    {
        return tickNs;
    }

    @Override
    public String roleName()
    {
        return "fulcrum-watchdog";
    }
}
