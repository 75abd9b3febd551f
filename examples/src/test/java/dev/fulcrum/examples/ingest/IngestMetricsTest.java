package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestMetricsTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final IngestServers fixture = new IngestServers();
    private final HttpClient client = fixture.client;
    private final List<IngestServer> servers = fixture.servers;
    private final List<RecordingSink> sinks = fixture.sinks;

    @Test
    void shouldServeTheBalancersAndTheServersMetersInPrometheusFormat() throws Exception
    {
        final RecordingSink sink = new RecordingSink(true); // every write waits until the test releases it
        sinks.add(sink);
        // one worker on a balancer thread of its own: the three payloads all go to worker 0, which holds them
        final IngestServer server = start(sink, "ACK_MODE", "queued", "MAX_WORKERS", "1", "THREADING", "DEDICATED");

        final HttpResponse<String> posted = send(server, HttpRequest.newBuilder(uri(server, "/v1/payloads"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"payloads\":[{\"id\":1},{\"id\":2},{\"id\":3}]}")));
        assertEquals(202, posted.statusCode(), posted.body());

        awaitScrape(server, "worker 0 holds the three payloads, one of them in the sink's write",
            "fulcrum_worker_pending_tasks{name=\"ingest\",worker=\"0\"} 3.0",
            "executor_active_threads{name=\"ingest\"} 1.0",
            "executor_queued_tasks{name=\"ingest\"} 2.0",
            "executor_completed_tasks_total{name=\"ingest\"} 0.0",
            "executor_pool_size_threads{name=\"ingest\"} 1.0",
            "ingest_requests_accepted_total 1.0",
            "ingest_payloads_accepted_total 3.0",
            "ingest_payloads_written_total 0.0");

        sink.release();
        final String scrape = awaitScrape(server, "the three payloads written",
            "executor_completed_tasks_total{name=\"ingest\"} 3.0",
            "fulcrum_worker_completed_tasks_total{name=\"ingest\",worker=\"0\"} 3.0",
            "fulcrum_worker_pending_tasks{name=\"ingest\",worker=\"0\"} 0.0",
            "executor_active_threads{name=\"ingest\"} 0.0",
            "ingest_payloads_written_total 3.0",
            "ingest_queued_bytes 0.0");
        assertTrue(scrape.contains("# TYPE ingest_requests_refused_total counter"), scrape);
        assertTrue(scrape.contains("# TYPE ingest_connections_open gauge"), scrape);
        assertTrue(scrape.contains("# TYPE fulcrum_stalls_total counter"), scrape);
    }

    @Test
    void shouldAnswerTheScrapeAsPrometheusTextAndAllowOnlyGet() throws Exception
    {
        final IngestServer server = start(new RecordingSink(false), "ACK_MODE", "queued");

        final HttpResponse<String> get = send(server, HttpRequest.newBuilder(uri(server, "/metrics")).GET());
        final HttpResponse<String> post = send(server, HttpRequest.newBuilder(uri(server, "/metrics"))
            .POST(HttpRequest.BodyPublishers.ofString("")));

        assertEquals(200, get.statusCode(), get.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", get.headers().firstValue("Content-Type").orElse(""));
        assertTrue(get.body().contains("executor_pool_max_threads{name=\"ingest\"} 2.0"), get.body());
        assertEquals(405, post.statusCode(), post.body());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
        assertEquals(1, server.refusals().count(Refusals.Kind.METHOD_NOT_ALLOWED), "the 405 is counted as refusals are");
    }

    /**
     * Scrape {@code GET /metrics} until every line is in it, or fail at the deadline with the last scrape.
     */
    private String awaitScrape(final IngestServer server, final String what, final String... lines)
    {
        final AtomicReference<String> last = new AtomicReference<>("");
        try
        {
            IngestServerTest.await(() ->
            {
                final String scrape = scrape(server);
                last.set(scrape);
                final List<String> have = scrape.lines().toList();
                for (final String line : lines)
                {
                    if (!have.contains(line))
                    {
                        return false;
                    }
                }
                return true;
            }, what);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; wanted " + List.of(lines) + " in:\n" + last.get(), ex);
        }
        return last.get();
    }

    private String scrape(final IngestServer server)
    {
        try
        {
            final HttpResponse<String> response = send(server, HttpRequest.newBuilder(uri(server, "/metrics")).GET());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("GET /metrics failed", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during GET /metrics", ex);
        }
    }

    private IngestServer start(final PayloadSink sink, final String... env) throws Exception
    {
        final Map<String, String> settings = new HashMap<>(Map.of(
            "PORT", "0", "BIND_ADDRESS", "127.0.0.1", "SINK_DIR", dir.toString()));
        for (int i = 0; i < env.length; i += 2)
        {
            settings.put(env[i], env[i + 1]);
        }
        final IngestServer server = IngestServer.start(IngestConfig.from(settings), sink);
        servers.add(server);
        return server;
    }

    private HttpResponse<String> send(final IngestServer server, final HttpRequest.Builder request)
        throws IOException, InterruptedException
    {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(final IngestServer server, final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
