package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.ThreadingMode;

/**
 * Fulcrum with its engine threads (balancer, workers, watchdog) made as virtual threads through the public
 * {@code BalancerBuilder.threadFactory}, otherwise as {@code fulcrum} and {@code fulcrum-shared} of
 * {@link Contenders} (leastLoaded, ring {@value Contenders#RING_SIZE}, {@code maxPendingPerWorker}
 * {@value Contenders#MAX_PENDING_PER_WORKER}, the default back-off idle strategy, whose yields and parks then hand
 * the carrier to another virtual thread instead of the core to the OS). Needs a JDK 21 or later. Specs:
 * {@code fulcrum-vthreads} (DEDICATED), {@code fulcrum-shared-vthreads} (SHARED). A benchmark configuration, not a
 * mode the core's tests cover.
 */
final class VirtualEngineContender extends AbstractCallbackContender
{
    static final String DEDICATED = "fulcrum-vthreads";
    static final String SHARED = "fulcrum-shared-vthreads";

    private final Balancer<Probe, Probe> balancer;

    private VirtualEngineContender(final String name, final int workers, final ThreadingMode mode)
    {
        super(name, workers);
        balancer = Balancer.builder(BenchTask.INSTANCE)
            .workers(workers)
            .threadingMode(mode)
            .ringSize(Contenders.RING_SIZE)
            .maxPendingPerWorker(Contenders.MAX_PENDING_PER_WORKER)
            .threadFactory(VirtualThreads.factory())
            .build();
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

    @Override
    public void send(final Probe probe)
    {
        balancer.submit(probe, probe.reply);
    }

    @Override
    public double variancePending()
    {
        return balancer.stats().variancePending();
    }

    @Override
    public void close()
    {
        balancer.close();
    }
}
