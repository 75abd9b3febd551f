package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerBuilder;

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

    FulcrumContender(final String name, final int workers, final FulcrumSettings settings, final int ringSize)
    {
        this(name, workers, settings, ringSize, new DaemonThreadFactory("fulcrum"));
    }

    /**
     * @param threadFactory makes the engine's threads (a subclass's own kind of thread).
     */
    FulcrumContender(
        final String name,
        final int workers,
        final FulcrumSettings settings,
        final int ringSize,
        final ThreadFactory threadFactory)
    {
        super(name, workers);
        balancer = newBalancer(workers, settings, ringSize, threadFactory);
    }

    /**
     * The balancer every Fulcrum contender runs: {@link BenchTask}, {@code workers}, {@code ringSize}, the thread
     * factory, and whatever {@code settings} sets (nothing else: the engine's defaults for the rest).
     */
    static Balancer<Probe, Probe> newBalancer(
        final int workers,
        final FulcrumSettings settings,
        final int ringSize,
        final ThreadFactory threadFactory)
    {
        final BalancerBuilder<Probe, Probe> builder = Balancer.builder(BenchTask.INSTANCE)
            .workers(workers)
            .ringSize(ringSize)
            .threadFactory(threadFactory);
        settings.applyTo(builder);
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
