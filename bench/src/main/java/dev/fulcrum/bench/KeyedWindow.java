package dev.fulcrum.bench;

/**
 * One producer's {@link ProbeWindow} with its keys, for the keyed throughput benchmarks: Zipf, exponent
 * {@value KeyedThroughputBenchmark#KEY_EXPONENT} over {@value KeyedThroughputBenchmark#KEYS} keys,
 * {@value KeyedThroughputBenchmark#KEY_SAMPLES} drawn up front (seed {@value KeyedThroughputBenchmark#KEY_SEED}
 * plus the producer's index) and read in turn, so that a key costs one array read in the measured loop.
 */
final class KeyedWindow
{
    private final ProbeWindow window;
    private final KeyedContender contender;
    private final int[] keys;
    private final int keyMask;
    private long keyCursor;

    /**
     * @param size        requests in flight at most: a power of 2.
     * @param contender   the engine the probes go through.
     * @param threadIndex the producer's index, which seeds its keys.
     */
    KeyedWindow(final int size, final KeyedContender contender, final int threadIndex)
    {
        this.contender = contender;
        window = new ProbeWindow(size, contender);
        keys = ZipfKeys.sample(
            KeyedThroughputBenchmark.KEYS, KeyedThroughputBenchmark.KEY_EXPONENT,
            KeyedThroughputBenchmark.KEY_SAMPLES, KeyedThroughputBenchmark.KEY_SEED + threadIndex);
        keyMask = keys.length - 1;
    }

    /**
     * Send the next probe under the next key.
     *
     * @return the result of the request the slot carried before, as {@link ProbeWindow#send()}.
     */
    long send()
    {
        final Probe probe = window.next();
        final long result = probe.output;
        final long k = keyCursor;
        contender.send(keys[(int)(k & keyMask)], probe);
        keyCursor = k + 1;
        return result;
    }

    /**
     * Wait for whatever is still in flight, as {@link ProbeWindow#drain()}.
     */
    void drain()
    {
        window.drain();
    }
}
