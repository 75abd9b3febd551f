package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * What the engine uses for a setting the user left unset, where the answer depends on the machine or on other
 * settings: the threading mode (from {@link Runtime#availableProcessors()}, which honours the CPU mask and a
 * container's CPU quota), the ceiling of the adaptive per-worker cap, the idle strategy, the thread factory and the
 * error handler. Each rule is written once, here, and documented on the builder's setter.
 */
final class EngineDefaults
{
    /** The ceiling of the adaptive cap with few workers: deep enough to batch tiny tasks. */
    static final int ADAPTIVE_CEILING = 1024;
    /** The fixed cap when adaptive binding is off and the user set none: the engine's default before it adapted. */
    static final int FIXED_CAP = 16;
    /** The adaptive ceiling shrinks with many worker slots so that the preallocated jobs stay near this many. */
    private static final int CEILING_SLOTS = 16 * 1024;
    /** The adaptive ceiling never goes below the fixed default. */
    private static final int MIN_CEILING = FIXED_CAP;

    private EngineDefaults()
    {
    }

    /**
     * One worker on a machine with fewer than 3 processors: SHARED, the balancer on the worker's thread, so the
     * application keeps a core (DEDICATED would run 2 engine threads on 2 cores beside it) and a request for the
     * worker passes no queue. Otherwise DEDICATED: in SHARED a long task on worker 0 holds up dispatch to every
     * other worker until it returns (the watchdog steps in only past the stall threshold), so SHARED is chosen only
     * where there is no other worker to hold up, never for a pool that may grow, and only with stall detection on
     * (a stuck task then cannot stop dispatch for good).
     *
     * @param processors     {@link Runtime#availableProcessors()} (the CPU mask and a container's quota).
     * @param workers        workers at build.
     * @param maxWorkers     worker slots.
     * @param stallDetection whether stall detection is on.
     * @return the threading mode for a builder that chose none.
     */
    static ThreadingMode threadingMode(
        final int processors, final int workers, final int maxWorkers, final boolean stallDetection)
    {
        final boolean oneWorker = 1 == workers && 1 == maxWorkers;
        return oneWorker && stallDetection && processors < 3 ? ThreadingMode.SHARED : ThreadingMode.DEDICATED;
    }

    /**
     * @param adaptive   whether the cap adapts ({@link BalancerBuilder#adaptiveBinding(boolean)}).
     * @param maxWorkers worker slots.
     * @return {@code maxPendingPerWorker} for a builder that set none: with adaptive binding, the ceiling
     * {@link #ADAPTIVE_CEILING} halved for every doubling of the slots past 16 (so that the jobs preallocated for
     * {@code 3 x maxWorkers x ceiling} stay near 50,000), never below {@link #FIXED_CAP}; without, {@link #FIXED_CAP}.
     */
    static int maxPendingPerWorker(final boolean adaptive, final int maxWorkers)
    {
        if (!adaptive)
        {
            return FIXED_CAP;
        }
        final int perSlot = Integer.highestOneBit(CEILING_SLOTS / Math.max(1, maxWorkers));
        return Math.max(MIN_CEILING, Math.min(ADAPTIVE_CEILING, perSlot));
    }

    /**
     * Spin briefly, then yield long before parking. On a 2-core machine a park costs about 80 us to wake from,
     * and a thread that parks after a few idle loops stalls a pipeline that is merely between bursts; a long
     * spin phase holds a core that another engine thread is waiting for. Measured (JMH, quiet 2-core VM, one
     * run each, 1 producer, 2 workers, window 16): (100 spins, 10 yields) 1.77 M round trips/s; (100, 1,000)
     * 2.12 M; (10, 1,000) 2.06 M against 1.59 M for (100, 1,000) in a second pair of runs, with the DEDICATED
     * round trip p50 at 2.3 us against 5.5 us. Idle for a millisecond or more, the thread parks. Busy-spin is never a
     * default: the engine cannot see how many of the application's threads spin too.
     */
    static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(10, 1_000, 1_000, 100_000);
    }

    static Thread daemonThread(final Runnable runnable)
    {
        final Thread thread = new Thread(runnable);
        thread.setDaemon(true);
        return thread;
    }

    static void logError(final Throwable error)
    {
        System.getLogger(Balancer.class.getName())
            .log(System.Logger.Level.WARNING, "fulcrum: error on an engine thread", error);
    }
}
