package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerBuilder;
import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;

/**
 * Fulcrum itself: {@code submit(probe, reply)}, the garbage-free callback path.
 */
class FulcrumContender extends AbstractCallbackContender
{
    /**
     * {@code -Dfulcrum.bench.stallThresholdMs=N} sets every Fulcrum contender's stall threshold (0 turns stall
     * detection and its watchdog thread off), to see what the watchdog costs; unset, Fulcrum's default.
     */
    static final String STALL_THRESHOLD_MS_PROPERTY = "fulcrum.bench.stallThresholdMs";

    final Balancer<Probe, Probe> balancer;

    FulcrumContender(
        final String name,
        final int workers,
        final Policy policy,
        final ThreadingMode threadingMode,
        final IdleKind idle,
        final int ringSize,
        final int maxPendingPerWorker)
    {
        this(name, workers, policy, threadingMode, idle, ringSize, maxPendingPerWorker,
            new DaemonThreadFactory("fulcrum"));
    }

    /**
     * @param threadFactory makes the engine's threads (a subclass's own kind of thread).
     */
    FulcrumContender(
        final String name,
        final int workers,
        final Policy policy,
        final ThreadingMode threadingMode,
        final IdleKind idle,
        final int ringSize,
        final int maxPendingPerWorker,
        final ThreadFactory threadFactory)
    {
        super(name, workers);
        balancer = newBalancer(workers, policy, threadingMode, idle, ringSize, maxPendingPerWorker, threadFactory);
    }

    /**
     * The balancer every Fulcrum contender runs: {@link BenchTask}, daemon threads, and the idle strategy of
     * {@code idle} ({@code backoff} leaves Fulcrum's default).
     */
    static Balancer<Probe, Probe> newBalancer(
        final int workers,
        final Policy policy,
        final ThreadingMode threadingMode,
        final IdleKind idle,
        final int ringSize,
        final int maxPendingPerWorker,
        final ThreadFactory threadFactory)
    {
        final BalancerBuilder<Probe, Probe> builder = Balancer.builder(BenchTask.INSTANCE)
            .workers(workers)
            .policy(policy)
            .threadingMode(threadingMode)
            .ringSize(ringSize)
            .maxPendingPerWorker(maxPendingPerWorker)
            .threadFactory(threadFactory);
        if (null != idle.newAgronaIdleStrategy())
        {
            builder.balancerIdleStrategy(idle::newAgronaIdleStrategy).workerIdleStrategy(idle::newAgronaIdleStrategy);
        }
        final String stallThresholdMs = System.getProperty(STALL_THRESHOLD_MS_PROPERTY);
        if (null != stallThresholdMs)
        {
            builder.stallThreshold(Duration.ofMillis(Long.parseLong(stallThresholdMs))); // 0: no watchdog thread
        }
        return builder.build();
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
