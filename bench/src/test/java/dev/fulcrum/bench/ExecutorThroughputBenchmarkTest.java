package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecutorThroughputBenchmarkTest
{
    private static final int REQUESTS = 2_000;

    @Test
    void shouldProduceAResultForEveryMethodAndContenderWhenRunOnceWithoutForking() throws Exception
    {
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(ExecutorThroughputBenchmark.class));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no samples: " + result);
            final String executor = result.getParams().getParam("executor");
            seen.add(result.getParams().getBenchmark() + " " +
                (null != executor ? executor : result.getParams().getParam("ordered")));
        }
        assertEquals(2 * 4 + 2 * 3, seen.size(), () -> "one result per method and contender: " + seen);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fulcrum", "fulcrum-shared", "tpe", "forkJoin"})
    void shouldReturnEveryResultToItsProducerWhenAWindowOfTasksIsInFlight(final String spec)
    {
        try (Contender contender = ExecutorContenders.create(spec, ExecutorThroughputBenchmark.WORKERS))
        {
            ContendersTest.checkRoundTrips(contender, spec, REQUESTS, ExecutorThroughputBenchmark.WINDOW,
                (probe, s) -> contender.send(probe));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fulcrum", "fulcrum-shared", "stripes"})
    void shouldReturnEveryResultToItsProducerWhenAWindowOfKeyedTasksIsInFlight(final String spec)
    {
        final int[] keys = ZipfKeys.sample(KeyedThroughputBenchmark.KEYS, 1.0, REQUESTS, 3);
        try (KeyedContender contender = ExecutorContenders.ordered(
            spec, ExecutorThroughputBenchmark.WORKERS, KeyedThroughputBenchmark.KEYS))
        {
            ContendersTest.checkRoundTrips(contender, spec, REQUESTS, ExecutorThroughputBenchmark.WINDOW,
                (probe, s) -> contender.send(keys[s], probe));
        }
    }

    @Test
    void shouldRejectSpecWhenUnknown()
    {
        assertAll(
            () -> assertThrows(IllegalArgumentException.class, () -> ExecutorContenders.create("stripes", 4)),
            () -> assertThrows(IllegalArgumentException.class, () -> ExecutorContenders.ordered("tpe", 4, 10)),
            () -> assertThrows(IllegalArgumentException.class, () -> ExecutorContenders.create("fulcrum", 0)),
            () -> assertThrows(IllegalArgumentException.class, () -> ExecutorContenders.ordered("stripes", 4, 0)));
    }
}
