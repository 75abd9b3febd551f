package dev.fulcrum.bench;

/**
 * A {@link Contender} that also takes a key: requests with one key must run one at a time, in the order they were
 * sent (per-key ordering: instrument, account, sensor). Keyed benchmarks drive every contender through
 * {@link #send(long, Probe)}, so the measured loop is the same whether the engine honours the key or not.
 * <p>
 * Threading: as {@link Contender}. The ordering holds among the probes one thread sends with one key.
 */
interface KeyedContender extends Contender
{
    /**
     * Send a probe that was {@link Probe#reset()}, under {@code key}; it is done once its reply has run.
     *
     * @param key   any long; an engine that does not order by key ignores it.
     * @param probe to send; not in flight.
     */
    void send(long key, Probe probe);
}
