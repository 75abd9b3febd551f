package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputBenchmarkTest
{
    @Test
    void shouldProduceAResultForEveryContenderAndProducerCountWhenRunOnceWithoutForking() throws Exception
    {
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(ThroughputBenchmark.class)
            .param("workers", "2"));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no samples: " + result);
            seen.add(result.getParams().getBenchmark() + " " + result.getParams().getParam("impl"));
        }
        final int contenders = ThroughputBenchmark.class.getField("impl").getAnnotation(Param.class).value().length;
        assertEquals(2 * contenders, seen.size(), () -> "one result per method and contender: " + seen);
    }

    @Test
    void shouldProduceAResultForTheGoalsContendersWhenTheWindowIsDeeperThanTheRing() throws Exception
    {
        // run-defaults.sh's contenders and its deeper window: 4 producers x 1,024 in flight against a ring of 1,024
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(ThroughputBenchmark.class)
            .param("impl", "fulcrum-default", "fulcrum-p16-fixed", "forkJoin", "tpeCallback")
            .param("window", "1024")
            .param("workers", "2"));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no samples: " + result);
            seen.add(result.getParams().getBenchmark() + " " + result.getParams().getParam("impl"));
        }
        assertEquals(8, seen.size(), () -> "one result per method and contender: " + seen);
    }
}
