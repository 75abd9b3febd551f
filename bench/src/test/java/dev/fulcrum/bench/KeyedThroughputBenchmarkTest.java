package dev.fulcrum.bench;

import dev.fulcrum.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyedThroughputBenchmarkTest
{
    private static final int REQUESTS = 2_000;
    private static final int WINDOW = 16;
    private static final int WORKERS = 3;

    @Test
    void shouldProduceAResultForEveryContenderAndProducerCountWhenRunOnceWithoutForking() throws Exception
    {
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(KeyedThroughputBenchmark.class)
            .param("workers", "2")
            .param("idle", "backoff"));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no samples: " + result);
            seen.add(result.getParams().getBenchmark() + " " + result.getParams().getParam("impl"));
        }
        assertEquals(2 * 3, seen.size(), () -> "one result per method and contender: " + seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "fulcrum-keyed", "fulcrum-keyed-yield", "fulcrum-keyed-shared", "fulcrum-unkeyed", "striped",
        "striped-yield"})
    void shouldReturnEveryResultToItsRequesterWhenAWindowOfKeyedRequestsIsInFlight(final String spec)
    {
        final int[] keys = ZipfKeys.sample(KeyedThroughputBenchmark.KEYS, 1.0, REQUESTS, 1);
        try (KeyedContender contender = KeyedContenders.create(spec, WORKERS))
        {
            ContendersTest.checkRoundTrips(
                contender, spec, REQUESTS, WINDOW, (probe, s) -> contender.send(keys[s], probe));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fulcrum-keyed", "fulcrum-keyed-yield", "striped"})
    void shouldReplyToRequestsOfOneKeyInSubmissionOrderWhenContenderIsKeyed(final String spec)
    {
        final int[] keys = ZipfKeys.sample(KeyedThroughputBenchmark.KEYS, 1.0, REQUESTS, 2);
        final OrderRecordingReply recorder = new OrderRecordingReply(keys);
        final Probe[] window = newWindow();
        for (final Probe probe : window)
        {
            probe.reply = recorder;
        }
        try (KeyedContender contender = KeyedContenders.create(spec, WORKERS))
        {
            for (int s = 0; s < REQUESTS + WINDOW; s++)
            {
                final Probe probe = window[s % WINDOW];
                if (s >= WINDOW)
                {
                    contender.awaitYielding(probe);
                }
                if (s < REQUESTS)
                {
                    probe.input = s;
                    probe.reset();
                    contender.send(keys[s], probe);
                }
            }
        }
        assertEquals(REQUESTS, recorder.count(), spec);
        for (final Map.Entry<Integer, List<Long>> entry : recorder.byKey().entrySet())
        {
            final List<Long> inputs = entry.getValue();
            for (int i = 1; i < inputs.size(); i++)
            {
                final int at = i;
                assertTrue(inputs.get(at - 1) < inputs.get(at),
                    () -> spec + ": key=" + entry.getKey() + " replied out of order: " + inputs);
            }
        }
    }

    @Test
    void shouldDrawKeysInRangeWithKeyZeroHottestWhenZipfExponentIsOne()
    {
        final int keys = KeyedThroughputBenchmark.KEYS;
        for (int thread = 0; thread < 4; thread++)
        {
            final int[] sampled = ZipfKeys.sample(
                keys, KeyedThroughputBenchmark.KEY_EXPONENT, KeyedThroughputBenchmark.KEY_SAMPLES,
                KeyedThroughputBenchmark.KEY_SEED + thread);
            assertEquals(KeyedThroughputBenchmark.KEY_SAMPLES, sampled.length);
            final int[] counts = new int[keys];
            for (final int key : sampled)
            {
                assertTrue(key >= 0 && key < keys, () -> "key out of [0, " + keys + "): key=" + key);
                counts[key]++;
            }
            final double hottest = (double)counts[0] / sampled.length;
            final double expected = ZipfKeys.probability(0, keys, 1.0);
            assertEquals(expected, hottest, 0.01, "share of key 0");
            assertTrue(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99],
                "shares fall with rank");
        }
    }

    @Test
    void shouldRejectSpecWhenTokenIsUnknownRepeatedOrForAnotherKind()
    {
        assertAll(
            () -> assertThrows(IllegalArgumentException.class, () -> KeyedContenders.create("disruptor", 2)),
            () -> assertThrows(IllegalArgumentException.class, () -> KeyedContenders.create("fulcrum-sorted", 2)),
            () -> assertThrows(
                IllegalArgumentException.class, () -> KeyedContenders.create("fulcrum-keyed-unkeyed", 2)),
            () -> assertThrows(IllegalArgumentException.class, () -> KeyedContenders.create("striped-keyed", 2)),
            () -> assertThrows(
                IllegalArgumentException.class, () -> KeyedContenders.create("striped-yield-backoff", 2)),
            () -> assertThrows(IllegalArgumentException.class, () -> ZipfKeys.sample(0, 1.0, 1, 0)),
            () -> assertThrows(IllegalArgumentException.class, () -> ZipfKeys.sample(10, -1.0, 1, 0)));
    }

    private static Probe[] newWindow()
    {
        final Probe[] window = new Probe[WINDOW];
        for (int i = 0; i < WINDOW; i++)
        {
            window[i] = new Probe();
        }
        return window;
    }

    /**
     * Records, per key, the inputs in the order their replies ran, then completes the probe. It records before
     * completing: once the probe is done the requester may reuse it.
     */
    private static final class OrderRecordingReply implements Reply<Probe, Probe>
    {
        private final int[] keyOfInput;
        private final Map<Integer, List<Long>> byKey = new HashMap<>();
        private int count;

        OrderRecordingReply(final int[] keyOfInput)
        {
            this.keyOfInput = keyOfInput;
        }

        @Override
        public void onResult(final Probe request, final Probe result)
        {
            record(request);
            Probe.REPLY.onResult(request, result);
        }

        @Override
        public void onError(final Probe request, final Throwable error)
        {
            record(request);
            Probe.REPLY.onError(request, error);
        }

        private synchronized void record(final Probe request)
        {
            final long input = request.input;
            byKey.computeIfAbsent(keyOfInput[(int)input], k -> new ArrayList<>()).add(input);
            count++;
        }

        synchronized int count()
        {
            return count;
        }

        synchronized Map<Integer, List<Long>> byKey()
        {
            return new HashMap<>(byKey);
        }
    }
}
