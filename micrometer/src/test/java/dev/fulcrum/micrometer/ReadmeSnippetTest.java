package dev.fulcrum.micrometer;

import dev.fulcrum.Balancer;
import dev.fulcrum.FulcrumExecutorService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Micrometer snippet is the code below, and it does what the README says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeSnippetTest
{
    private static final String START = "// readme-micrometer-start";
    private static final String END = "// readme-micrometer-end";

    @Test
    void shouldShowTheSnippetVerbatimInTheReadme() throws Exception
    {
        final String source = Files.readString(
            Path.of("src/test/java/dev/fulcrum/micrometer/ReadmeSnippetTest.java"));
        final int from = source.lastIndexOf(START);
        final String snippet = strip(source.substring(from + START.length(), source.indexOf(END, from)));
        final String readme = strip(Files.readString(Path.of("../README.md")));
        assertTrue(readme.contains(snippet), "README.md must show this test's snippet as it is compiled:\n" + snippet);
    }

    @Test
    void shouldRegisterTheMetersTheSnippetPromises() throws Exception
    {
        final MeterRegistry registry = new SimpleMeterRegistry();
        try (Balancer<String, Integer> balancer = Balancer.builder(String::length)
            .workers(2)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .stallThreshold(Duration.ZERO)
            .build();
            FulcrumExecutorService executor = FulcrumExecutorService.create(b -> b
                .workers(1)
                .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
                .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
                .stallThreshold(Duration.ZERO)))
        {
            bind(registry, balancer, executor);

            assertEquals(2, registry.get("executor.pool.size").tags("name", "orders", "desk", "fx").gauge().value());
            assertEquals(1, registry.get("executor.pool.size").tags("name", "tasks").gauge().value());
            assertEquals(8, balancer.submit("balancer").get(Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS));
            Await.until(() -> registry.get("executor.completed").tags("name", "orders").functionCounter().count() == 1,
                () -> "the completed request counted");
        }
    }

    private static void bind(
        final MeterRegistry registry, final Balancer<String, Integer> balancer, final FulcrumExecutorService executor)
    {
        // readme-micrometer-start
        new FulcrumMetrics(balancer, "orders", Tags.of("desk", "fx")).bindTo(registry);  // any MeterRegistry
        new FulcrumMetrics(executor.balancer(), "tasks", Tags.empty()).bindTo(registry); // a FulcrumExecutorService
        // readme-micrometer-end
    }

    private static String strip(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            final String trimmed = line.trim();
            if (!trimmed.isEmpty())
            {
                sb.append(trimmed).append('\n');
            }
        }
        return sb.toString();
    }
}
