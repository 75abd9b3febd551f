package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL keeps the page cache, so the crash test proves write-before-ack only. This one proves force-before-ack:
 * a sink wrapped around the real one stamps every write and every force's return from one sequence, the clients
 * stamp every 202 they receive from the same sequence, and for every payload of every acknowledged body there must
 * be a write, then a force of that same writer, then the 202.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableOrderTest
{
    private static final AtomicLong SEQUENCE = new AtomicLong();

    @TempDir
    Path dir;

    /** Payload id -> {writer, write stamp}; writer -> stamps its forces returned at. */
    private final Map<String, long[]> writes = new ConcurrentHashMap<>();
    private final Map<Integer, List<Long>> forces = new ConcurrentHashMap<>();

    @Test
    void shouldForceEveryPayloadOfABodyBeforeItIsAcknowledged() throws Exception
    {
        final IngestServer server = IngestServer.start(IngestConfig.from(Map.of("PORT", "0",
            "BIND_ADDRESS", "127.0.0.1", "ACK_MODE", "durable", "MAX_WORKERS", "2")), new StampingSink());
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        final Map<List<String>, Long> acked = new ConcurrentHashMap<>(); // payload ids of a body -> 202 stamp
        final AtomicInteger failures = new AtomicInteger();
        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++)
        {
            final int client = c;
            final Thread thread = new Thread(() ->
            {
                for (int r = 0; r < 150; r++)
                {
                    final String request = "c" + client + "r" + r;
                    final List<String> ids = IntStream.range(0, 1 + r % 5).mapToObj(p -> request + "p" + p)
                        .collect(Collectors.toList());
                    final String body = ids.stream().map(id -> "{\"id\":\"" + id + "\"}")
                        .collect(Collectors.joining(",", "{\"payloads\":[", "]}"));
                    try
                    {
                        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/payloads"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                        if (202 == response.statusCode())
                        {
                            acked.put(ids, SEQUENCE.incrementAndGet());
                        }
                    }
                    catch (final IOException | InterruptedException ex)
                    {
                        failures.incrementAndGet();
                    }
                }
            });
            clients.add(thread);
            thread.start();
        }
        for (final Thread thread : clients)
        {
            thread.join(TimeUnit.SECONDS.toMillis(50));
            assertFalse(thread.isAlive());
        }
        server.close();

        assertEquals(0, failures.get());
        assertEquals(600, acked.size(), "every body answered 202");
        long payloads = 0;
        for (final Map.Entry<List<String>, Long> body : acked.entrySet())
        {
            for (final String id : body.getKey())
            {
                final long[] write = writes.get(id);
                assertNotNull(write, "written: " + id);
                final long ack = body.getValue();
                final boolean forcedBetween = forces.get((int)write[0]).stream()
                    .anyMatch(force -> force > write[1] && force < ack);
                assertTrue(forcedBetween, "write, force of writer " + write[0] + ", then 202: " + id);
                payloads++;
            }
        }
        final long forcesDone = forces.values().stream().mapToLong(List::size).sum();
        assertTrue(forcesDone <= payloads, "at most one force per payload: forces=" + forcesDone);
        assertEquals(payloads, SinkFiles.payloads(dir).size());
    }

    /** The real directory sink, with every write and every force's return stamped. */
    private final class StampingSink implements PayloadSink
    {
        private final DirectoryPayloadSink inner;
        private final AtomicInteger writers = new AtomicInteger();

        StampingSink() throws IOException
        {
            inner = new DirectoryPayloadSink(dir);
        }

        @Override
        public Writer openWriter(final String workerName) throws IOException
        {
            final Writer writer = inner.openWriter(workerName);
            final int index = writers.getAndIncrement();
            final List<Long> forced = java.util.Collections.synchronizedList(new ArrayList<>());
            forces.put(index, forced);
            return new Writer()
            {
                @Override
                public void write(final Payload payload) throws IOException
                {
                    writer.write(payload);
                    final String json = payload.toString();
                    final String id = json.substring(json.indexOf(":\"") + 2, json.lastIndexOf('"'));
                    writes.put(id, new long[]{index, SEQUENCE.incrementAndGet()});
                }

                @Override
                public void flush() throws IOException
                {
                    writer.flush();
                }

                @Override
                public void force() throws IOException
                {
                    writer.force();
                    forced.add(SEQUENCE.incrementAndGet());
                }

                @Override
                public void close() throws IOException
                {
                    writer.close();
                }
            };
        }

        @Override
        public boolean writable()
        {
            return inner.writable();
        }

        @Override
        public void close() throws IOException
        {
            inner.close();
        }
    }
}
