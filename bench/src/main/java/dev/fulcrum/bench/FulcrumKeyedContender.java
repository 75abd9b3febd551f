package dev.fulcrum.bench;

/**
 * Fulcrum with or without keys, on the garbage-free callback path: keyed, {@code submit(key, probe, reply)} (one
 * key at a time, in order, sticky to one worker while it has requests in flight); unkeyed, the same balancer with
 * {@code submit(probe, reply)}, which ignores the key (no ordering: the upper bound of the keyed form). Built as
 * {@link FulcrumContender} builds it, so the two differ only in how requests are submitted.
 */
final class FulcrumKeyedContender extends FulcrumContender implements KeyedContender
{
    private final boolean keyed;

    FulcrumKeyedContender(
        final String name,
        final int workers,
        final boolean keyed,
        final FulcrumSettings settings,
        final int ringSize)
    {
        super(name, workers, settings, ringSize);
        this.keyed = keyed;
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
}
