package dev.fulcrum;

import org.agrona.concurrent.NanoClock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-worker cap that adapts to the tasks ({@link BalancerBuilder#adaptiveBinding(boolean)}): deep when tasks
 * are tiny, so that a worker runs long batches without waiting for the balancer; 1 when a task is as long as the
 * target, so that a request waits in the ring for the first free worker rather than behind a long task.
 * <p>
 * Two sides, one writer each. A worker ({@link Sampler}, its own thread) reads the clock around one task in
 * {@link #SAMPLE_EVERY} (counted per task, not per batch: a batch lasts as long as the queue stays full, which under
 * a deep cap can be a thousand long tasks), keeps an estimate of the time per task that shrugs off one slow sample
 * ({@link #next(long, long)}: halfway down to a faster task, at most double for a slower one), and publishes the
 * estimate into its own slot of a padded array with a release store. The balancer (the baton holder) looks at the
 * slots every {@link #LOOK_EVERY} dispatches (or every {@code maxWorkers}, whichever is more; every {@code cap} when
 * that is fewer; at every dispatch until some worker has an estimate), takes the slowest online worker's estimate
 * and sets one cap for every worker, {@code target / slowest}, from 1 to the ceiling. No contended write: each
 * slot has one writer and the balancer only reads; no allocation after construction; the worker's clock reads are two
 * per timed task, none on the others (about 1 ns a task on this machine's 32 ns clock).
 */
final class AdaptiveBinding
{
    /** A worker times one task in this many. */
    static final int SAMPLE_EVERY = 64;
    /** The balancer looks at the estimates at most once per this many dispatches (more often with a smaller cap). */
    static final int LOOK_EVERY = 64;
    /** Longs per slot: 64 bytes, so that two workers' stores never share a cache line. */
    private static final int PAD = 8;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * Per worker slot, from index {@code (w + 1) * PAD}: its estimated time per task, ns; 0 before its first timed
     * task.
     */
    private final long[] perTaskNs;
    private final long targetNs;
    private final Dispatcher dispatcher;
    private final int lookEvery;
    /** {@link System#nanoTime()} but in tests, where a task moves a hand-held clock to act a task's length. */
    private final NanoClock clock;
    private long nextLook;
    /** Set once, by the first worker to time a task: until then a look finds nothing, so it costs one load. */
    private volatile boolean anyEstimate;

    /**
     * @param dispatcher whose cap this sets; its {@code maxPending} is the ceiling.
     * @param targetNs   the work, in time, a worker's queue may hold.
     * @param clock      what the workers time their batches with.
     */
    AdaptiveBinding(final Dispatcher dispatcher, final long targetNs, final NanoClock clock)
    {
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.targetNs = targetNs;
        final int slots = dispatcher.workers();
        this.perTaskNs = new long[(slots + 2) * PAD];
        this.lookEvery = Math.max(LOOK_EVERY, slots);
        this.nextLook = 1; // at every dispatch until some worker has an estimate
    }

    /**
     * @return the sampler for the worker in {@code slot}, to be used by that worker's thread only.
     */
    Sampler sampler(final int slot)
    {
        return new Sampler(this, slot);
    }

    /**
     * Baton holder, after each cycle: look at the estimates once {@code dispatched} has passed the next look.
     *
     * @param dispatched requests dispatched so far.
     */
    void afterCycle(final long dispatched)
    {
        if (dispatched >= nextLook)
        {
            // until a first estimate, at every dispatch; then every lookEvery dispatches, or every cap if fewer, so
            // that long tasks (a small cap, few dispatches a second) are looked at as often in time as short ones
            nextLook = dispatched + (look() ? Math.min(lookEvery, dispatcher.cap()) : 1);
        }
    }

    /**
     * Baton holder: set the cap from the slowest online worker's estimate, if any worker has one.
     *
     * @return true when some online worker had an estimate.
     */
    boolean look()
    {
        if (!anyEstimate)
        {
            return false; // (SHARED's worker 0 times no task it is handed directly: one worker may never have one)
        }
        long slowest = 0;
        for (int w = 0, n = dispatcher.workers(); w < n; w++)
        {
            if (!dispatcher.isOffline(w))
            {
                slowest = Math.max(slowest, (long)SLOTS.getAcquire(perTaskNs, (w + 1) * PAD));
            }
        }
        if (slowest > 0)
        {
            dispatcher.cap(capFor(targetNs, slowest, dispatcher.maxPending));
            return true;
        }
        return false;
    }

    /**
     * @return {@code targetNs / perTaskNs}, from 1 to {@code ceiling}.
     */
    static int capFor(final long targetNs, final long perTaskNs, final int ceiling)
    {
        final long cap = targetNs / Math.max(1, perTaskNs);
        return (int)Math.max(1, Math.min(ceiling, cap));
    }

    /**
     * @return the published estimate of the worker in {@code slot}, ns per task, 0 when it has none (for tests and
     * stats; any thread).
     */
    long perTaskNs(final int slot)
    {
        return (long)SLOTS.getAcquire(perTaskNs, (slot + 1) * PAD);
    }

    /**
     * The estimate after one more timed task: halfway down to a faster one, up by at most a quarter of the gap and at
     * most double for a slower one. A task the thread was descheduled in (a time slice, milliseconds) moves it little
     * and is forgotten within a few samples, where an average that took the peak at once made the cap 1 for thousands
     * of tiny tasks after each; tasks that really grow longer double it per sample (a thousandfold in 10).
     *
     * @param estimateNs the estimate so far, 0 for none.
     * @param sampleNs   the timed task's, at least 1.
     * @return the new estimate.
     */
    static long next(final long estimateNs, final long sampleNs)
    {
        if (0 == estimateNs)
        {
            return sampleNs;
        }
        if (sampleNs <= estimateNs)
        {
            return estimateNs - ((estimateNs - sampleNs) >> 1);
        }
        return estimateNs + Math.min(estimateNs, Math.max(1, (sampleNs - estimateNs) >> 2));
    }

    /**
     * One worker's side: when to time a task, and the estimate it publishes. Owned by the worker's thread.
     */
    static final class Sampler
    {
        private final AdaptiveBinding binding;
        private final int index;
        private int untilTimed;
        private long estimateNs;

        private Sampler(final AdaptiveBinding binding, final int slot)
        {
            this.binding = binding;
            this.index = (slot + 1) * PAD;
        }

        long nowNs()
        {
            return binding.clock.nanoTime();
        }

        /**
         * Before each task the worker runs: whether to time it (the first one is, then one in
         * {@link #SAMPLE_EVERY}).
         */
        boolean timeThis()
        {
            if (0 == untilTimed)
            {
                untilTimed = SAMPLE_EVERY - 1;
                return true;
            }
            untilTimed--;
            return false;
        }

        /**
         * A timed task ran: fold its time in and publish the estimate.
         *
         * @param elapsedNs clock read to clock read around the task and its reply.
         */
        void timed(final long elapsedNs)
        {
            final boolean first = 0 == estimateNs;
            estimateNs = next(estimateNs, Math.max(1, elapsedNs));
            SLOTS.setRelease(binding.perTaskNs, index, estimateNs);
            if (first && !binding.anyEstimate)
            {
                binding.anyEstimate = true; // once per worker at most, after its estimate is published
            }
        }
    }
}
