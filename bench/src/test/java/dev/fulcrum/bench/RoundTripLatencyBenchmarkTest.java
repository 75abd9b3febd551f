package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundTripLatencyBenchmarkTest
{
    @Test
    void shouldProduceASampleForEveryContenderWhenRunOnceWithoutForking() throws Exception
    {
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(RoundTripLatencyBenchmark.class));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no samples: " + result);
            seen.add(result.getParams().getParam("impl"));
        }
        assertEquals(8, seen.size(), () -> "one result per contender: " + seen);
    }
}
