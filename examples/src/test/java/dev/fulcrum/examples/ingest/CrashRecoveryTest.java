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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The crash test: the server runs as a child JVM in durable mode on one directory, four clients post bodies of
 * one to six payloads, and the server is killed with SIGKILL at a random moment (after a random number of 202s),
 * then started again on the same directory, {@link #KILLS} times. At the end every payload answered 202 must be in
 * the directory exactly once, and every body must be there wholly or not at all (also the ones never answered).
 * Bounded: each round stops at its kill point, each wait has a deadline. The seed is printed, and
 * {@code -Dingest.crash.seed=N} repeats a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashRecoveryTest
{
    private static final int KILLS = 4;
    private static final int CLIENTS = 4;

    @TempDir
    Path dir;

    /** Request id -> its payload ids, for every request sent; and the requests answered 202. */
    private final Map<String, List<String>> sent = new ConcurrentHashMap<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    @Test
    void shouldKeepEveryAcknowledgedPayloadOnceAndNoBodyInPartWhenKilledAtRandomMoments() throws Exception
    {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "needs SIGKILL: os.name=" +
            System.getProperty("os.name"));
        final long seed = Long.getLong("ingest.crash.seed", System.nanoTime());
        final Random random = new Random(seed);
        final List<String> report = new ArrayList<>();
        report.add("seed=" + seed);

        for (int round = 0; round < KILLS; round++)
        {
            final ChildServer server = ChildServer.start(dir, Map.of());
            report.add("start " + round + ": " + server.recovered);
            final int killAfter = acknowledged.size() + 20 + random.nextInt(300);
            final AtomicInteger stop = new AtomicInteger();
            final List<Thread> clients = load(server.port, round, stop);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.size() < killAfter && System.nanoTime() < deadline && server.process.isAlive())
            {
                LockSupport.parkNanos(100_000);
            }
            assertTrue(server.process.isAlive(), "the server ran until its kill point");
            server.process.destroyForcibly(); // SIGKILL
            assertTrue(server.process.waitFor(10, TimeUnit.SECONDS));
            stop.set(1);
            for (final Thread client : clients)
            {
                client.join(TimeUnit.SECONDS.toMillis(15));
                assertFalse(client.isAlive(), client.getName() + " stopped");
            }
            report.add("kill " + round + ": after " + acknowledged.size() + " bodies answered 202 in all (target " +
                killAfter + "), exit " + server.process.exitValue());
        }

        final ChildServer last = ChildServer.start(dir, Map.of());
        report.add("start " + KILLS + ": " + last.recovered);
        last.process.destroy(); // SIGTERM: a graceful stop
        assertTrue(last.process.waitFor(15, TimeUnit.SECONDS));

        final List<SinkFiles.Entry> entries = SinkFiles.entries(dir);
        final Map<String, Integer> copies = new HashMap<>();
        final Map<String, Set<Integer>> partsOnDisk = new HashMap<>();
        for (final SinkFiles.Entry entry : entries)
        {
            copies.merge(IngestServerTest.ids(List.of(entry.payload())).get(0), 1, Integer::sum);
            partsOnDisk.computeIfAbsent(entry.bodyId() + "/" + entry.parts(), k -> new HashSet<>()).add(entry.part());
        }
        long acknowledgedPayloads = 0;
        for (final String request : acknowledged)
        {
            for (final String id : sent.get(request))
            {
                assertEquals(1, copies.getOrDefault(id, 0), "acknowledged payload on disk exactly once: " + id);
                acknowledgedPayloads++;
            }
        }
        for (final Map.Entry<String, List<String>> request : sent.entrySet())
        {
            final long present = request.getValue().stream().filter(copies::containsKey).count();
            assertTrue(0 == present || request.getValue().size() == present,
                "a body wholly or not at all: " + request.getKey() + " has " + present + " of " +
                request.getValue().size());
        }
        partsOnDisk.forEach((body, parts) ->
            assertEquals(Integer.parseInt(body.substring(body.indexOf('/') + 1)), parts.size(), "whole: " + body));
        copies.forEach((id, n) -> assertEquals(1, n, "no payload twice: " + id));
        report.add("acknowledged " + acknowledged.size() + " bodies, " + acknowledgedPayloads + " payloads; found " +
            entries.size() + " payloads in " + partsOnDisk.size() + " bodies; sent " + sent.size() + " bodies");
        System.out.println("CrashRecoveryTest: " + String.join("\n  ", report));
        assertTrue(acknowledgedPayloads > 0);
    }

    private List<Thread> load(final int port, final int round, final AtomicInteger stop)
    {
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++)
        {
            final int client = c;
            final Thread thread = new Thread(() ->
            {
                final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
                for (int r = 0; 0 == stop.get(); r++)
                {
                    final String request = "k" + round + "c" + client + "r" + r;
                    final List<String> ids = IntStream.range(0, 1 + (r + client) % 6)
                        .mapToObj(p -> request + "p" + p).collect(Collectors.toList());
                    sent.put(request, ids);
                    final String pad = "x".repeat(r % 3 * 4000); // batches outgrow the 64 KiB buffer: writes mid-batch
                    final String body = ids.stream()
                        .map(id -> "{\"id\":\"" + id + "\",\"pad\":\"" + pad + "\"}")
                        .collect(Collectors.joining(",", "{\"payloads\":[", "]}"));
                    try
                    {
                        final HttpResponse<Void> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/payloads"))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.discarding());
                        if (202 == response.statusCode())
                        {
                            acknowledged.add(request);
                        }
                    }
                    catch (final IOException ex)
                    {
                        return; // the server is gone: its outcome is unknown, which the checks allow
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
            }, "crash-client-" + c);
            threads.add(thread);
            thread.start();
        }
        return threads;
    }
}
