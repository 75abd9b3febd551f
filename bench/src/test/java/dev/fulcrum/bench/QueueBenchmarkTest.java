package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueBenchmarkTest
{
    @Test
    void shouldProduceAResultForEveryQueueInBothGroupsWhenRunOnceWithoutForking() throws Exception
    {
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(QueueBenchmark.class));

        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getStatistics().getN() > 0, () -> "no result: " + result);
            seen.add(result.getParams().getBenchmark().replaceAll(".*\\.", "") + "/" +
                result.getParams().getParam("queue"));
        }
        assertEquals(8, seen.size(), () -> "2 groups x 4 queues: " + seen);
    }

    @Test
    void shouldNameTheQueueWhenTheSpecIsUnknown()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> QueueBenchmark.newQueue("spmc", 16));
        assertTrue(ex.getMessage().contains("queue=spmc"), ex::getMessage);
    }
}
