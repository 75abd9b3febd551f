package dev.fulcrum;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Grows and shrinks a balancer's pool by itself (optional: nothing runs unless you start one). Every
 * {@code sample} it looks at each worker's activity count (odd while the worker is in a task: busy, not merely
 * holding work at its cap); at the end of each {@code window} it decides, at most once:
 * <ul>
 *     <li>grow by one worker when every worker in the pool was busy in at least 90% of the samples, the pool is
 *     below {@code maxWorkers}, and the cores allow it (a busy-spinning worker needs a core of its own:
 *     {@link BalancerBuilder#workerIdleStrategy} strategies that spin count against
 *     {@code availableProcessors()});</li>
 *     <li>shrink by one (the highest-numbered running worker, never SHARED mode's worker 0) when the pool's
 *     workers were busy in fewer than 25% of the samples on average and the pool is above {@code minWorkers}.</li>
 * </ul>
 * Each decision is counted ({@link #grown()}, {@link #shrunk()}) and logged once, as one line. Runs on a daemon
 * thread of its own, {@code fulcrum-autoscaler}, that sleeps between samples; it stops with {@link #close()} or
 * when the balancer closes. Threading: {@code start} and {@code close} from any thread.
 */
public final class Autoscaler implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Autoscaler.class.getName());
    private static final double GROW_BUSY = 0.9;
    private static final double SHRINK_BUSY = 0.25;

    private final Balancer<?, ?> balancer;
    private final Counters counters;
    private final int minWorkers;
    private final int maxWorkers;
    private final long sampleNs;
    private final long windowNs;
    private final long[] lastActivity;
    private final int[] busySamples;
    private final AtomicLong grown = new AtomicLong();
    private final AtomicLong shrunk = new AtomicLong();
    private int samples;
    private long windowStartNs;
    private volatile boolean running = true;
    private Thread thread;

    Autoscaler(final Balancer<?, ?> balancer, final int minWorkers, final int maxWorkers, final Duration sample,
        final Duration window, final long nowNs)
    {
        Balancer.requireNonNull(balancer, "balancer");
        if (minWorkers < 1 || minWorkers > maxWorkers || maxWorkers > balancer.maxWorkers())
        {
            throw new IllegalArgumentException("need 1 <= minWorkers <= maxWorkers <= balancer.maxWorkers(): " +
                "minWorkers=" + minWorkers + ", maxWorkers=" + maxWorkers + ", balancer.maxWorkers()=" +
                balancer.maxWorkers());
        }
        this.balancer = balancer;
        this.counters = balancer.counters();
        this.minWorkers = minWorkers;
        this.maxWorkers = Math.min(maxWorkers, balancer.coreBoundWorkers());
        this.sampleNs = Balancer.requireNonNull(sample, "sample").toNanos();
        this.windowNs = Balancer.requireNonNull(window, "window").toNanos();
        if (sampleNs <= 0 || windowNs < sampleNs)
        {
            throw new IllegalArgumentException("need 0 < sample <= window: sample=" + sample + ", window=" + window);
        }
        lastActivity = new long[counters.workers()];
        busySamples = new int[counters.workers()];
        windowStartNs = nowNs;
    }

    /**
     * Start an autoscaler on its own thread: samples every millisecond, decides every 200 ms.
     *
     * @param balancer   to resize; built with {@link BalancerBuilder#maxWorkers(int)} above its start size.
     * @param minWorkers never fewer.
     * @param maxWorkers never more (and never more than {@code balancer.maxWorkers()} or the cores allow).
     * @return the running autoscaler.
     */
    public static Autoscaler start(final Balancer<?, ?> balancer, final int minWorkers, final int maxWorkers)
    {
        return start(balancer, minWorkers, maxWorkers, Duration.ofMillis(1), Duration.ofMillis(200));
    }

    /**
     * @param sample how often to look at the workers.
     * @param window how often to decide.
     * @return the running autoscaler.
     * @see #start(Balancer, int, int)
     */
    public static Autoscaler start(final Balancer<?, ?> balancer, final int minWorkers, final int maxWorkers,
        final Duration sample, final Duration window)
    {
        final Autoscaler autoscaler =
            new Autoscaler(balancer, minWorkers, maxWorkers, sample, window, System.nanoTime());
        final Thread thread = new Thread(autoscaler::run, "fulcrum-autoscaler");
        thread.setDaemon(true);
        autoscaler.thread = thread;
        thread.start();
        return autoscaler;
    }

    private void run()
    {
        while (running && !balancer.isClosed())
        {
            LockSupport.parkNanos(sampleNs);
            step(System.nanoTime());
        }
    }

    /**
     * One sample, and a decision when a window has passed; the thread's loop, or a test's steps.
     */
    void step(final long nowNs)
    {
        for (int w = 0; w < lastActivity.length; w++)
        {
            final long activity = counters.worker(w, Counters.ACTIVITY);
            // busy: in a task now, or it went through tasks since the last look
            if (1 == (activity & 1) || activity != lastActivity[w])
            {
                busySamples[w]++;
            }
            lastActivity[w] = activity;
        }
        samples++;
        if (nowNs - windowStartNs >= windowNs)
        {
            decide();
            windowStartNs = nowNs;
            samples = 0;
            Arrays.fill(busySamples, 0);
        }
    }

    private void decide()
    {
        final BalancerStats stats = balancer.stats();
        int pool = 0;
        int allBusy = 0;
        double busySum = 0;
        int highest = -1;
        for (int w = 0; w < busySamples.length; w++)
        {
            final WorkerState state = stats.state(w);
            if (WorkerState.RUNNING != state && WorkerState.STALLED != state)
            {
                continue;
            }
            pool++;
            final double busy = (double)busySamples[w] / Math.max(1, samples);
            busySum += busy;
            allBusy += busy >= GROW_BUSY ? 1 : 0;
            if (WorkerState.RUNNING == state && (0 != w || ThreadingMode.SHARED != balancer.threadingMode()))
            {
                highest = w;
            }
        }
        if (0 == pool)
        {
            return;
        }
        try
        {
            if (allBusy == pool && pool < maxWorkers)
            {
                final int added = balancer.addWorker();
                grown.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, "fulcrum autoscaler: every worker busy in >= 90% of samples; " +
                    "added worker " + added + ", pool " + pool + " -> " + (pool + 1));
            }
            else if (busySum / pool < SHRINK_BUSY && pool > minWorkers && highest >= 0)
            {
                balancer.removeWorker(highest);
                shrunk.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, String.format("fulcrum autoscaler: workers busy in %.0f%% of " +
                    "samples on average; removing worker %d, pool %d -> %d", 100 * busySum / pool, highest, pool,
                    pool - 1));
            }
        }
        catch (final IllegalStateException refused)
        {
            // closed meanwhile, or a removal still under way: the next window decides again
        }
    }

    /**
     * @return workers added so far.
     */
    public long grown()
    {
        return grown.get();
    }

    /**
     * @return workers removed so far.
     */
    public long shrunk()
    {
        return shrunk.get();
    }

    /**
     * Stop deciding; the pool stays as it is. Waits for the autoscaler's thread to end.
     */
    @Override
    public void close()
    {
        running = false;
        if (null != thread && Thread.currentThread() != thread)
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
