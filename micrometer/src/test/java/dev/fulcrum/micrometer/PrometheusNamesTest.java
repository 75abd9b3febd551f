package dev.fulcrum.micrometer;

import dev.fulcrum.Balancer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrometheusNamesTest
{
    /** The Prometheus names the README lists, each with the value an idle balancer of 2 workers (of 3) shows. */
    private static final List<String> SAMPLES = List.of(
        "executor_completed_tasks_total{name=\"orders\"} 0.0",
        "executor_active_threads{name=\"orders\"} 0.0",
        "executor_queued_tasks{name=\"orders\"} 0.0",
        "executor_pool_size_threads{name=\"orders\"} 2.0",
        "executor_pool_max_threads{name=\"orders\"} 3.0",
        "fulcrum_worker_pending_tasks{name=\"orders\",worker=\"2\"} 0.0",
        "fulcrum_worker_completed_tasks_total{name=\"orders\",worker=\"0\"} 0.0",
        "fulcrum_worker_failed_tasks_total{name=\"orders\",worker=\"1\"} 0.0",
        "fulcrum_workers{name=\"orders\",state=\"running\"} 2.0",
        "fulcrum_workers{name=\"orders\",state=\"gone\"} 1.0",
        "fulcrum_dispatched_tasks_total{name=\"orders\"} 0.0",
        "fulcrum_reply_errors_total{name=\"orders\"} 0.0",
        "fulcrum_stalls_total{name=\"orders\"} 0.0",
        "fulcrum_moved_tasks_total{name=\"orders\"} 0.0",
        "fulcrum_key_backlog_rejected_tasks_total{name=\"orders\"} 0.0",
        "fulcrum_interrupts_cleared_total{name=\"orders\"} 0.0",
        "fulcrum_parked_tasks{name=\"orders\"} 0.0",
        "fulcrum_keys_in_flight{name=\"orders\"} 0.0",
        "fulcrum_pending_variance{name=\"orders\"} 0.0");

    @Test
    void shouldScrapeUnderTheNamesTheReadmeLists()
    {
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer request) -> request)
            .workers(2)
            .maxWorkers(3)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .stallThreshold(Duration.ZERO)
            .build())
        {
            new FulcrumMetrics(balancer, "orders", Tags.empty()).bindTo(registry);

            final String scrape = registry.scrape();

            final Set<String> lines = scrape.lines().collect(Collectors.toSet());
            for (final String sample : SAMPLES)
            {
                assertTrue(lines.contains(sample), () -> sample + " not in the scrape:\n" + scrape);
            }
            final Set<String> families = scrape.lines()
                .filter(line -> line.startsWith("# TYPE "))
                .map(line -> line.split(" ")[2])
                .collect(Collectors.toCollection(TreeSet::new));
            final Set<String> listed = SAMPLES.stream()
                .map(sample -> sample.substring(0, sample.indexOf('{')))
                .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(listed, families, "every family the scrape shows is listed, and no other");
        }
        finally
        {
            registry.close();
        }
    }
}
