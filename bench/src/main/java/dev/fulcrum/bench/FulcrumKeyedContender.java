package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

/**
 * Fulcrum with or without keys, on the garbage-free callback path: keyed, {@code submit(key, probe, reply)} (one
 * key at a time, in order, sticky to one worker while it has requests in flight); unkeyed, the same balancer with
 * {@code submit(probe, reply)}, which ignores the key (no ordering: the upper bound of the keyed form). Built as
 * {@link FulcrumContender} builds it, so the two differ only in how requests are submitted.
 */
final class FulcrumKeyedContender extends AbstractCallbackContender implements KeyedContender
{
    private final Balancer<Probe, Probe> balancer;
    private final boolean keyed;

    FulcrumKeyedContender(
        final String name,
        final int workers,
        final boolean keyed,
        final Policy policy,
        final ThreadingMode threadingMode,
        final IdleKind idle,
        final int ringSize,
        final int maxPendingPerWorker)
    {
        super(name, workers);
        this.keyed = keyed;
        balancer = FulcrumContender.newBalancer(workers, policy, threadingMode, idle, ringSize, maxPendingPerWorker);
    }

    /**
     * No key: {@code submit(probe, reply)}.
     */
    @Override
    public void send(final Probe probe)
    {
        balancer.submit(probe, probe.reply);
    }

    @Override
    public void send(final long key, final Probe probe)
    {
        if (keyed)
        {
            balancer.submit(key, probe, probe.reply);
        }
        else
        {
            balancer.submit(probe, probe.reply);
        }
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
