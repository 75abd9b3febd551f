package dev.fulcrum;

import com.lmax.disruptor.Sequence;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * The counters nobody on the hot path should pay for, derived every tick by one thread, their single writer: the
 * watchdog's (it calls {@link #sample(long)} on each of its looks), or, with stall detection off and a counters
 * file to fill, a daemon thread of its own, {@code fulcrum-counters}, that looks every {@link #OWN_TICK_MS} ms.
 * <ul>
 * <li>ring depth: slots claimed by requesters and not yet taken by the balancer (the highest claim less the
 * balancer's gating sequence, two volatile loads);</li>
 * <li>pool size: worker slots whose state is not gone;</li>
 * <li>time in task, per worker: how long ago this sampler first saw the worker's current odd activity count (the
 * worker is in user code), 0 while the count is even; so it moves in ticks, as the watchdog sees stalls;</li>
 * <li>the error log: the queued errors are written to it ({@link ErrorLog#drain()});</li>
 * <li>with a counters file, every counter's live value copied into the file ({@link Counters#publish()}).</li>
 * </ul>
 * A tick with no error to log allocates nothing.
 */
final class CountersSampler implements Agent
{
    /** How often the sampler's own thread looks, when it has one. */
    static final long OWN_TICK_MS = 10;

    private final Counters counters;
    private final Ingress ingress;
    private final Sequence consumed;
    private final NanoClock clock;
    private final long[] lastActivity;
    private final long[] sinceNs;
    private final boolean publishes;

    CountersSampler(final Counters counters, final Ingress ingress, final Sequence consumed, final NanoClock clock)
    {
        this.counters = counters;
        this.ingress = ingress;
        this.consumed = consumed;
        this.clock = clock;
        lastActivity = new long[counters.workers()];
        sinceNs = new long[counters.workers()];
        publishes = null != counters.file();
    }

    /**
     * The single writer of the sampled counters only (the watchdog's thread, or the sampler's own).
     *
     * @param nowNs the caller's clock.
     * @return errors logged.
     */
    int sample(final long nowNs)
    {
        counters.balancer(Counters.RING_DEPTH, Math.max(0, ingress.highestClaimed() - consumed.get()));
        int pool = 0;
        for (int w = 0; w < lastActivity.length; w++)
        {
            pool += WorkerStates.GONE == counters.balancerView(w, Counters.WORKER_STATE) ? 0 : 1;
            final long activity = counters.worker(w, Counters.ACTIVITY);
            if (activity != lastActivity[w])
            {
                lastActivity[w] = activity;
                sinceNs[w] = nowNs;
            }
            counters.timeInTask(w, 1 == (activity & 1) ? nowNs - sinceNs[w] : 0);
        }
        counters.balancer(Counters.POOL_SIZE, pool);
        if (publishes)
        {
            counters.publish(); // the file another process reads: at most one tick behind the live values
        }
        return counters.errorLog().drain();
    }

    @Override
    public int doWork()
    {
        sample(clock.nanoTime());
        return 0; // so the idle strategy sleeps a whole tick every time
    }

    /**
     * @return the idle strategy of the sampler's own thread: a sleep of one tick.
     */
    static IdleStrategy idleStrategy()
    {
        return new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(OWN_TICK_MS));
    }

    @Override
    public String roleName()
    {
        return "fulcrum-counters";
    }
}
