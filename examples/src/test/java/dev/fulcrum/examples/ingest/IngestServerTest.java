package dev.fulcrum.examples.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestServerTest
{
    static final long DEADLINE_MS = 10_000;
    private static final JsonFactory JSON = new JsonFactory();

    @TempDir
    Path dir;

    @RegisterExtension
    final IngestServers fixture = new IngestServers();
    private final HttpClient client = fixture.client;
    private final List<IngestServer> servers = fixture.servers;
    private final List<RecordingSink> blockingSinks = fixture.sinks;

    @Test
    void shouldAnswer405WhenMethodIsNotPost() throws Exception
    {
        final RecordingSink sink = new RecordingSink(false);
        final IngestServer server = start(sink, "MAX_QUEUE", "16");

        final HttpResponse<String> get = send(server, HttpRequest.newBuilder(uri(server, "/v1/payloads")).GET());
        final HttpResponse<String> put = send(server, HttpRequest.newBuilder(uri(server, "/v1/payloads"))
            .PUT(HttpRequest.BodyPublishers.ofString(body("p1"))));

        assertEquals(405, get.statusCode(), get.body());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertEquals(405, put.statusCode(), put.body());
        server.close();
        assertTrue(sink.written().isEmpty(), sink.written().toString());
    }

    @Test
    void shouldAnswer404WhenPathIsUnknown() throws Exception
    {
        final IngestServer server = start(new RecordingSink(false), "MAX_QUEUE", "16");

        final HttpResponse<String> response = post(server, "/v1/elsewhere", body("p1"));

        assertEquals(404, response.statusCode(), response.body());
    }

    @Test
    void shouldAnswer400WhenBodyIsNotTheExpectedJson() throws Exception
    {
        final RecordingSink sink = new RecordingSink(false);
        final IngestServer server = start(sink, "MAX_QUEUE", "16");
        final List<String> bad = List.of(
            "",
            "{",
            "not json",
            "[{\"id\":\"x\"}]",
            "{}",
            "{\"payloads\": 3}",
            "{\"payloads\": []}",
            "{\"payloads\": [1, 2]}",
            "{\"payloads\": [{\"id\":\"x\"}, \"y\"]}",
            "{\"payloads\": [{\"id\":\"x\"}, {\"id\": }]}",
            "{\"payloads\": [{\"id\":\"x\"}]} trailing",
            "{\"payloads\": [{\"id\":\"x\"}], \"payloads\": [{\"id\":\"y\"}]}",
            "{\"payloads\": [{\"id\":\"x\"}]");

        for (final String body : bad)
        {
            final HttpResponse<String> response = post(server, "/v1/payloads", body);
            assertEquals(400, response.statusCode(), "body=" + body + " -> " + response.body());
            assertTrue(response.body().startsWith("{\"error\":"), response.body());
        }
        server.close();
        assertTrue(sink.written().isEmpty(), sink.written().toString());
        assertEquals(bad.size(), server.stats().requestsRejected());
    }

    @Test
    void shouldAnswer413WhenBodyIsOverTheByteLimit() throws Exception
    {
        final RecordingSink sink = new RecordingSink(false);
        final IngestServer server = start(sink, "MAX_QUEUE", "16", "MAX_BODY_BYTES", "1024");
        final String big = "{\"payloads\":[{\"id\":\"big\",\"pad\":\"" + "x".repeat(2_000) + "\"}]}";

        final HttpResponse<String> tooBig = post(server, "/v1/payloads", big);
        final HttpResponse<String> small = post(server, "/v1/payloads", body("small"));

        assertEquals(413, tooBig.statusCode());
        assertEquals(202, small.statusCode(), small.body()); // the connection is still usable
        server.close();
        assertEquals(List.of("small"), ids(sink.written()));
    }

    @Test
    void shouldAnswer413WhenBatchIsLargerThanTheRing() throws Exception
    {
        final RecordingSink sink = new RecordingSink(false);
        final IngestServer server = start(sink, "MAX_QUEUE", "3"); // rounded up to a ring of 4

        final HttpResponse<String> five = post(server, "/v1/payloads", body("a", "b", "c", "d", "e"));
        final HttpResponse<String> four = post(server, "/v1/payloads", body("a", "b", "c", "d"));

        assertEquals(413, five.statusCode(), five.body());
        assertTrue(five.body().contains("at most 4 payloads"), five.body());
        assertEquals(202, four.statusCode(), four.body());
        server.close();
        assertEquals(List.of("a", "b", "c", "d"), sorted(ids(sink.written())));
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenQueueIsFullAndAcceptAgainOnceDrained() throws Exception
    {
        final RecordingSink sink = blockingSink();
        final IngestServer server = start(sink, "ACK_MODE", "queued", // a 202 before the blocked sink wrote
            "MAX_QUEUE", "4", "MAX_WORKERS", "1", "POLICY", "joinIdleQueue");
        fillQueue(server, sink);

        final HttpResponse<String> refused = post(server, "/v1/payloads", body("refused"));
        final HttpResponse<String> refusedBatch = post(server, "/v1/payloads", body("refused-1", "refused-2"));

        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals(503, refusedBatch.statusCode(), refusedBatch.body());

        sink.release();
        await(() -> server.stats().payloadsWritten() == 5, "the five queued payloads are written");
        final HttpResponse<String> later = post(server, "/v1/payloads", body("later"));
        assertEquals(202, later.statusCode(), later.body());

        server.close();
        assertEquals(List.of("first", "q1", "q2", "q3", "q4", "later"), ids(sink.written()));
        assertEquals(2, server.stats().requestsRefused());
        assertEquals(6, server.stats().payloadsAccepted());
        assertEquals(0, server.stats().queuedBytes());
    }

    @Test
    void shouldAnswer503WhenQueuedBodiesWouldGoOverTheByteBudget() throws Exception
    {
        final RecordingSink sink = blockingSink();
        final IngestServer server = start(sink, "ACK_MODE", "queued",
            "MAX_QUEUE", "64", "MAX_WORKERS", "1", "MAX_BODY_BYTES", "1024", "MAX_QUEUE_BYTES", "1024");
        final String pad = "x".repeat(600); // two such bodies are over 1024 bytes, one is not

        final HttpResponse<String> first = post(server, "/v1/payloads", body("first-" + pad));
        assertTrue(sink.awaitFirstWrite(DEADLINE_MS), "the worker took the first payload");
        final HttpResponse<String> second = post(server, "/v1/payloads", body("second-" + pad));
        final long queuedWhileBlocked = server.stats().queuedBytes();

        assertEquals(202, first.statusCode(), first.body());
        assertEquals(503, second.statusCode(), second.body());
        assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
        assertTrue(queuedWhileBlocked > 600 && queuedWhileBlocked <= 1024, "queuedBytes=" + queuedWhileBlocked);
        sink.release();
        await(() -> server.stats().queuedBytes() == 0, "the first body is written and its bytes released");
        final HttpResponse<String> third = post(server, "/v1/payloads", body("third-" + pad));
        assertEquals(202, third.statusCode(), third.body());
        server.close();
        assertEquals(List.of("first-" + pad, "third-" + pad), ids(sink.written()));
        assertEquals(0, server.stats().queuedBytes());
    }

    @Test
    void shouldStopAcceptingThenWriteEveryQueuedPayloadWhenClosed() throws Exception
    {
        final RecordingSink sink = blockingSink();
        final IngestServer server = start(sink, "ACK_MODE", "queued", // a 202 before the blocked sink wrote
            "MAX_QUEUE", "4", "MAX_WORKERS", "1", "POLICY", "joinIdleQueue");
        fillQueue(server, sink);
        final int port = server.port();

        final Thread closer = new Thread(server::close, "test-closer");
        closer.start();
        await(() -> !accepts(port), "the server stops accepting connections");

        assertTrue(closer.isAlive(), "close() must wait for the queued payloads");
        assertTrue(sink.written().isEmpty());
        sink.release();
        closer.join(DEADLINE_MS);
        assertFalse(closer.isAlive(), "close() returns once the queue is drained");
        assertEquals(List.of("first", "q1", "q2", "q3", "q4"), ids(sink.written()));
        assertTrue(sink.isClosed());
    }

    @ParameterizedTest
    @CsvSource({"leastLoaded,queued", "joinIdleQueue,queued", "leastLoaded,durable"})
    void shouldWriteEveryAcceptedPayloadExactlyOnceWhenClosedUnderConcurrentLoad(final String policy,
        final String ackMode) throws Exception
    {
        final IngestServer server = start(new DirectoryPayloadSink(dir),
            "MAX_QUEUE", "64", "MAX_WORKERS", "2", "POLICY", policy, "ACK_MODE", ackMode);
        final int clients = 4;
        final int requestsPerClient = 400;
        final Map<String, Outcome> outcomes = new ConcurrentHashMap<>(); // request id -> outcome
        final Map<String, List<String>> payloadsOf = new ConcurrentHashMap<>();
        final AtomicInteger accepted = new AtomicInteger();

        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++)
        {
            final int client = c;
            final Thread thread = new Thread(() ->
            {
                for (int r = 0; r < requestsPerClient; r++)
                {
                    final String request = "c" + client + "-r" + r;
                    final String[] ids = IntStream.range(0, 1 + (client + r) % 8)
                        .mapToObj(p -> request + "-p" + p).toArray(String[]::new);
                    payloadsOf.put(request, List.of(ids));
                    try
                    {
                        final int status = post(server, "/v1/payloads", body(ids)).statusCode();
                        outcomes.put(request, 202 == status ? Outcome.ACCEPTED : Outcome.REFUSED);
                        if (202 == status)
                        {
                            accepted.incrementAndGet();
                        }
                    }
                    catch (final ConnectException ex)
                    {
                        outcomes.put(request, Outcome.REFUSED); // never reached the server: shut down
                        return;
                    }
                    catch (final IOException | InterruptedException ex)
                    {
                        outcomes.put(request, Outcome.UNKNOWN); // the connection closed under the request
                    }
                }
            }, "test-client-" + c);
            threads.add(thread);
            thread.start();
        }

        await(() -> accepted.get() >= 200 || threads.stream().noneMatch(Thread::isAlive), "200 requests accepted");
        server.close(); // while the clients keep posting
        for (final Thread thread : threads)
        {
            thread.join(DEADLINE_MS);
            assertFalse(thread.isAlive(), thread.getName() + " finished");
        }

        final List<String> written = readSinkDirectory();
        final Set<String> unique = new HashSet<>(written);
        assertEquals(written.size(), unique.size(), "no payload written twice");
        final Map<Outcome, Set<String>> byOutcome = new HashMap<>();
        outcomes.forEach((request, outcome) ->
            byOutcome.computeIfAbsent(outcome, o -> new HashSet<>()).addAll(payloadsOf.get(request)));
        final Set<String> acknowledged = byOutcome.getOrDefault(Outcome.ACCEPTED, Set.of());
        final Set<String> unknown = byOutcome.getOrDefault(Outcome.UNKNOWN, Set.of());
        assertTrue(unique.containsAll(acknowledged), "every payload answered 202 is in the sink");
        for (final String id : unique)
        {
            assertTrue(acknowledged.contains(id) || unknown.contains(id), "written but refused: " + id);
        }
        assertEquals(server.stats().payloadsAccepted(), written.size(), "the sink holds what the server accepted");
        assertEquals(server.stats().payloadsWritten(), written.size());
        assertEquals(0, server.stats().queuedBytes(), "every accepted body's bytes were given back");
        assertTrue(acknowledged.size() > 0);
    }

    private enum Outcome
    {
        ACCEPTED, REFUSED, UNKNOWN
    }

    /**
     * One payload held by the only worker inside the blocked sink (join-idle-queue: it takes no other), and a batch
     * of four filling the ring of four.
     */
    private void fillQueue(final IngestServer server, final RecordingSink sink) throws Exception
    {
        final HttpResponse<String> first = post(server, "/v1/payloads", body("first"));
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(sink.awaitFirstWrite(DEADLINE_MS), "the worker took the first payload");
        // the ring has room for four once the balancer has moved past "first": a 503 before then is no harm,
        // since a refused batch is not queued at all
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        int status;
        do
        {
            status = post(server, "/v1/payloads", body("q1", "q2", "q3", "q4")).statusCode();
        }
        while (503 == status && System.currentTimeMillis() < deadline);
        assertEquals(202, status);
    }

    private IngestServer start(final PayloadSink sink, final String... env) throws Exception
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("PORT", "0");
        settings.put("BIND_ADDRESS", "127.0.0.1");
        settings.put("SINK_DIR", dir.toString());
        for (int i = 0; i < env.length; i += 2)
        {
            settings.put(env[i], env[i + 1]);
        }
        final IngestServer server = IngestServer.start(IngestConfig.from(settings), sink);
        servers.add(server);
        return server;
    }

    private RecordingSink blockingSink()
    {
        final RecordingSink sink = new RecordingSink(true);
        blockingSinks.add(sink);
        return sink;
    }

    private HttpResponse<String> post(final IngestServer server, final String path, final String body)
        throws IOException, InterruptedException
    {
        return send(server, HttpRequest.newBuilder(uri(server, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
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

    private static String body(final String... ids)
    {
        return Stream.of(ids).map(id -> "{\"id\":\"" + id + "\",\"n\":[1,2,{\"x\":null}]}")
            .collect(Collectors.joining(",\n  ", "{\"version\":\"1\",\"payloads\":[\n  ", "\n]}"));
    }

    private static boolean accepts(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + DEADLINE_MS + " ms waiting until " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private List<String> readSinkDirectory() throws IOException
    {
        return ids(SinkFiles.payloads(dir));
    }

    /**
     * @return the "id" field of each JSON object, in order.
     */
    static List<String> ids(final List<String> payloads) throws IOException
    {
        final List<String> ids = new ArrayList<>();
        for (final String payload : payloads)
        {
            try (JsonParser parser = JSON.createParser(payload))
            {
                assertEquals(JsonToken.START_OBJECT, parser.nextToken(), payload);
                String id = null;
                while (JsonToken.FIELD_NAME == parser.nextToken())
                {
                    final String name = parser.currentName();
                    parser.nextToken();
                    if ("id".equals(name))
                    {
                        id = parser.getText();
                    }
                    else
                    {
                        parser.skipChildren();
                    }
                }
                assertEquals(null, parser.nextToken(), "one JSON object per payload: " + payload);
                ids.add(id);
            }
        }
        return ids;
    }

    private static List<String> sorted(final List<String> ids)
    {
        final List<String> copy = new ArrayList<>(ids);
        copy.sort(null);
        return copy;
    }
}
