package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.fulcrum.examples.ingest.IngestServerTest.await;
import static dev.fulcrum.examples.ingest.IngestServerTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool resized live under load: four clients post bodies of one to four payloads continuously while the test
 * rewrites the settings file (grow, shrink, grow, shrink to one), and the server's settings thread, polling the
 * file every 20 ms, resizes the pool. Each size is awaited with a deadline, and some more bodies acknowledged on
 * it. Then: every body was answered 202 (no 5xx, no failed request), every acknowledged payload is in the sink
 * exactly once and nothing else is, the pool has the last size asked for, and a shrink left open no writer of a
 * removed worker. Bounded: at most {@link #REQUESTS_PER_CLIENT} requests per client, every wait has a deadline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResizeUnderLoadTest
{
    private static final int CLIENTS = 4;
    private static final int REQUESTS_PER_CLIENT = 20_000;
    private static final int ACKS_PER_SIZE = 100;
    private static final int[] SIZES = {4, 2, 3, 1};

    @TempDir
    Path dir;

    private final HttpClient client = IngestServers.httpClient();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> clients = new ArrayList<>();
    private IngestServer server;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        stop.set(true);
        for (final Thread thread : clients)
        {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        }
        if (null != server)
        {
            server.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"durable,directory,SHARED", "queued,memory,DEDICATED", "durable,directory,DEDICATED"})
    void shouldKeepEveryAcknowledgedPayloadOnceWhenThePoolIsResizedUnderLoad(
        final String ackMode, final String sinkKind, final String threading) throws Exception
    {
        final Path settings = dir.resolve("ingest.properties");
        final Path sinkDir = Files.createDirectories(dir.resolve("sink"));
        writeAtomically(settings, "# written by the test\nWORKERS=2\n");
        final RecordingSink memory = "memory".equals(sinkKind) ? new RecordingSink(false) : null;
        final PayloadSink sink = null == memory ? new DirectoryPayloadSink(sinkDir) : memory;
        server = IngestServer.start(IngestConfig.from(Map.of("PORT", "0", "BIND_ADDRESS", "127.0.0.1",
            "ACK_MODE", ackMode, "THREADING", threading, "MAX_QUEUE", "1024", "MAX_WORKERS", "4",
            "SETTINGS_FILE", settings.toString(), "SETTINGS_POLL_MS", "20")), sink);
        assertEquals(2, server.resizer().workers());

        final Map<String, List<String>> payloadsOf = new ConcurrentHashMap<>();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicInteger acks = new AtomicInteger();
        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < CLIENTS; c++)
        {
            final int clientIndex = c;
            final Thread thread = new Thread(() ->
            {
                for (int r = 0; r < REQUESTS_PER_CLIENT && !stop.get(); r++)
                {
                    final String request = "c" + clientIndex + "-r" + r;
                    final List<String> ids = IntStream.range(0, 1 + (clientIndex + r) % 4)
                        .mapToObj(p -> request + "-p" + p).collect(Collectors.toList());
                    payloadsOf.put(request, ids);
                    try
                    {
                        final HttpResponse<String> response = post(body(ids));
                        if (202 == response.statusCode())
                        {
                            acknowledged.add(request);
                            acks.incrementAndGet();
                        }
                        else
                        {
                            unexpected.add(request + ": " + response.statusCode() + " " + response.body());
                        }
                    }
                    catch (final IOException | InterruptedException ex)
                    {
                        unexpected.add(request + ": " + ex);
                        return;
                    }
                }
            }, "resize-client-" + c);
            clients.add(thread);
            thread.start();
        }

        await(() -> acks.get() >= ACKS_PER_SIZE, ACKS_PER_SIZE + " bodies acknowledged on the first pool");
        for (final int size : SIZES)
        {
            final int before = server.resizer().workers();
            writeAtomically(settings, "# written by the test\nWORKERS=" + size + "\n");
            await(() -> size == server.resizer().workers() && 0 == server.resizer().removalsInFlight(),
                "the pool went from " + before + " to " + size + " workers");
            assertEquals(size, server.balancer().workers());
            assertTrue(server.task().openWriters() <= size,
                "a removed worker's writer is closed: openWriters=" + server.task().openWriters() + " size=" + size);
            final String ready = get("/readyz");
            assertTrue(ready.contains("\"workers\":" + size + ",\"targetWorkers\":" + size), ready);
            final int acksOnSize = acks.get() + ACKS_PER_SIZE;
            await(() -> acks.get() >= acksOnSize || !unexpected.isEmpty(),
                ACKS_PER_SIZE + " more bodies acknowledged on " + size + " workers");
            assertTrue(unexpected.isEmpty(), "every body answered 202: " + unexpected);
        }

        stop.set(true);
        for (final Thread thread : clients)
        {
            thread.join(TimeUnit.SECONDS.toMillis(15));
            assertFalse(thread.isAlive(), thread.getName() + " stopped");
        }
        assertEquals(1, server.resizer().workers());
        assertEquals(1, server.balancer().workers());
        await(() -> 1 == server.balancer().stats().poolSize(), "the balancer counts one worker in its pool");
        final IngestStats stats = server.stats();
        assertEquals(SIZES.length, stats.settingsApplied());
        assertEquals(0, stats.settingsRefused());
        assertEquals(0, server.resizer().failures());
        server.close();

        assertTrue(unexpected.isEmpty(), "every body answered 202, none 5xx: " + unexpected);
        final List<String> written = ids(null == memory ? SinkFiles.payloads(sinkDir) : memory.written());
        final Map<String, Integer> copies = new HashMap<>();
        written.forEach(id -> copies.merge(id, 1, Integer::sum));
        final Set<String> acknowledgedPayloads = new HashSet<>();
        for (final String request : acknowledged)
        {
            for (final String id : payloadsOf.get(request))
            {
                assertEquals(1, copies.getOrDefault(id, 0), "acknowledged payload in the sink exactly once: " + id);
                acknowledgedPayloads.add(id);
            }
        }
        assertEquals(acknowledgedPayloads, copies.keySet(), "the sink holds the acknowledged payloads only");
        assertEquals(stats.payloadsAccepted(), written.size());
    }

    private HttpResponse<String> post(final String body) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri("/v1/payloads"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(final String path) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String body(final List<String> ids)
    {
        return ids.stream().map(id -> "{\"id\":\"" + id + "\"}")
            .collect(Collectors.joining(",", "{\"payloads\":[", "]}"));
    }

    /**
     * Write a new file beside the settings file and rename it over: the poller reads the old content or the new,
     * never half of one.
     */
    static void writeAtomically(final Path file, final String text) throws IOException
    {
        final Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
