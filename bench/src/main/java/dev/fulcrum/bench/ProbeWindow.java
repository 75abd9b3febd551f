package dev.fulcrum.bench;

/**
 * One producer's bounded window of reused {@link Probe}s: at most {@code size} in flight; the next send waits for
 * the oldest (spin, then yield) and reads its result. Shared by the throughput benchmarks so that every contender,
 * keyed or not, is driven the same way.
 */
final class ProbeWindow
{
    private final Probe[] slots;
    private final int mask;
    private final Contender contender;
    private long sent;

    /**
     * @param size      requests in flight at most: a power of 2.
     * @param contender the engine the probes go through.
     */
    ProbeWindow(final int size, final Contender contender)
    {
        if (size < 1 || Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException("window must be a power of 2: window=" + size);
        }
        this.contender = contender;
        slots = new Probe[size];
        for (int i = 0; i < size; i++)
        {
            slots[i] = new Probe();
        }
        mask = size - 1;
    }

    /**
     * Take the next slot: once the window is full, wait for its previous request and keep that result.
     *
     * @return the probe to send next, reset and numbered; its {@link Probe#output} still holds the result of the
     * request it carried before (0 while the window fills), for the caller to return to JMH.
     */
    Probe next()
    {
        final long s = sent;
        final Probe probe = slots[(int)(s & mask)];
        if (s > mask)
        {
            contender.awaitYielding(probe);
        }
        else
        {
            probe.output = 0;
        }
        probe.input = s;
        probe.reset();
        sent = s + 1;
        return probe;
    }

    /**
     * Send the next probe through the window's contender ({@link #next()}, then {@link Contender#send(Probe)}).
     *
     * @return the result of the request the slot carried before (0 while the window fills), for JMH to consume.
     */
    long send()
    {
        final Probe probe = next();
        final long result = probe.output;
        contender.send(probe);
        return result;
    }

    /**
     * Wait for whatever is still in flight, so that an iteration leaves nothing behind and the engine can be closed.
     */
    void drain()
    {
        final long inFlight = Math.min(sent, slots.length);
        for (long s = sent - inFlight; s < sent; s++)
        {
            contender.awaitYielding(slots[(int)(s & mask)]);
        }
        sent = 0;
    }
}
