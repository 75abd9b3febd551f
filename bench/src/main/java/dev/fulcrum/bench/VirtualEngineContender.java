package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

/**
 * Fulcrum with its engine threads (balancer, workers, watchdog) made as virtual threads through the public
 * {@code BalancerBuilder.threadFactory}, otherwise as {@code fulcrum} and {@code fulcrum-shared} of
 * {@link Contenders} (leastLoaded, ring {@value Contenders#RING_SIZE}, {@code maxPendingPerWorker}
 * {@value Contenders#MAX_PENDING_PER_WORKER} as the ceiling of the adaptive cap, the default back-off idle strategy,
 * whose yields and parks then hand the carrier to another virtual thread instead of the core to the OS). Needs a
 * JDK 21 or later. Specs: {@code fulcrum-vthreads} (DEDICATED), {@code fulcrum-shared-vthreads} (SHARED). The core's
 * {@code VirtualEngineThreadsTest} covers the configuration.
 */
final class VirtualEngineContender extends FulcrumContender
{
    static final String DEDICATED = "fulcrum-vthreads";
    static final String SHARED = "fulcrum-shared-vthreads";

    private VirtualEngineContender(final String name, final int workers, final ThreadingMode mode)
    {
        super(name, workers,
            new FulcrumSettings(Policy.leastLoaded(), mode, IdleKind.BACKOFF, Contenders.MAX_PENDING_PER_WORKER, true),
            Contenders.RING_SIZE, VirtualThreads.factory());
    }

    /**
     * @return true when {@code spec} names one of this class's contenders.
     */
    static boolean names(final String spec)
    {
        return DEDICATED.equals(spec) || SHARED.equals(spec);
    }

    /**
     * @param spec    {@link #DEDICATED} or {@link #SHARED}.
     * @param workers worker threads, at least 1.
     * @return a started contender; close it.
     * @throws IllegalArgumentException naming the spec when it is neither.
     * @throws IllegalStateException    when this JVM has no virtual threads.
     */
    static VirtualEngineContender create(final String spec, final int workers)
    {
        if (!names(spec))
        {
            throw new IllegalArgumentException("not a virtual-engine contender: spec=" + spec + " (one of " +
                DEDICATED + ", " + SHARED + ")");
        }
        return new VirtualEngineContender(spec, workers, SHARED.equals(spec) ? ThreadingMode.SHARED :
            ThreadingMode.DEDICATED);
    }
}
