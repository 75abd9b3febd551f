package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.fulcrum.examples.ingest.ResizeUnderLoadTest.writeAtomically;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * SIGHUP, end to end: the server runs as a child JVM ({@link IngestServer#main}) with a settings file it polls
 * only once an hour, the test rewrites the file and sends {@code kill -HUP}, and the pool takes the new size; a bad
 * file sent the same way is refused and logged, the pool stays, and the server still serves (SIGHUP no longer
 * stops the JVM). Started with SIGHUP ignored (as under {@code nohup}), the server says it polls only, and stays
 * up when sent one. Skipped, saying why, where there is no {@code kill} command or the JVM offers no SIGHUP.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SighupReloadTest
{
    private static final long DEADLINE_MS = 20_000;

    @TempDir
    Path dir;

    private final HttpClient client = IngestServers.httpClient();

    @Test
    void shouldResizeThePoolWhenSentSighupAfterTheFileChanged() throws Exception
    {
        final Path kill = killCommand();
        assumeTrue(null != kill, "needs a kill command (/bin/kill or /usr/bin/kill) to send SIGHUP; none found");
        final Path settings = dir.resolve("ingest.properties");
        writeAtomically(settings, "WORKERS=1\n");
        final ChildServer server = ChildServer.start(Files.createDirectories(dir.resolve("sink")), Map.of(
            "MAX_WORKERS", "3", "SETTINGS_FILE", settings.toString(), "SETTINGS_POLL_MS", "3600000"));
        try
        {
            assumeTrue(server.listening.contains("settingsReload=poll+sighup"), "the server has no SIGHUP (its JVM " +
                "offers none, or this test runs with SIGHUP ignored, as under nohup, which the child inherits; the " +
                "server polls only): " + server.listening);
            assertTrue(server.listening.contains(" workers=1 maxWorkers=3 "), server.listening);
            assertTrue(get(server, "/readyz").contains("\"workers\":1,\"targetWorkers\":1"));

            writeAtomically(settings, "WORKERS=3\n");
            sighup(kill, server);
            server.awaitLine("ingest: settings file: workers 1 -> 3", DEADLINE_MS);
            awaitReady(server, "\"workers\":3,\"targetWorkers\":3,\"workersLeaving\":0");

            writeAtomically(settings, "WORKERS=lots\n");
            sighup(kill, server);
            server.awaitLine("WORKERS must be a whole number: WORKERS=lots", DEADLINE_MS);
            assertTrue(server.process.isAlive(), "SIGHUP does not stop the server");
            assertTrue(get(server, "/readyz").contains("\"workers\":3,\"targetWorkers\":3"));
            final HttpResponse<String> posted = client.send(HttpRequest.newBuilder(uri(server, "/v1/payloads"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"payloads\":[{\"id\":\"after-sighup\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(202, posted.statusCode(), posted.body());
        }
        finally
        {
            server.process.destroy(); // SIGTERM: a graceful stop
            assertTrue(server.process.waitFor(15, TimeUnit.SECONDS), "the server stopped on SIGTERM");
        }
    }

    @Test
    void shouldSaySighupIsNotAvailableWhenStartedWithItIgnored() throws Exception
    {
        final Path kill = killCommand();
        assumeTrue(null != kill && Files.isExecutable(Path.of("/bin/sh")),
            "needs /bin/sh (to start the server with SIGHUP ignored) and a kill command; not both found");
        final Path settings = dir.resolve("ingest.properties");
        writeAtomically(settings, "WORKERS=1\n");
        // what nohup does: the ignored disposition survives exec, and the JVM keeps it
        final ChildServer server = ChildServer.start(List.of("/bin/sh", "-c", "trap '' HUP; exec \"$@\"", "sh"),
            Files.createDirectories(dir.resolve("sink")), Map.of("MAX_WORKERS", "3",
                "SETTINGS_FILE", settings.toString(), "SETTINGS_POLL_MS", "3600000"));
        try
        {
            assertTrue(server.listening.endsWith(" settingsReload=poll"), server.listening);
            sighup(kill, server);
            assertTrue(get(server, "/readyz").contains("\"workers\":1,\"targetWorkers\":1"));
            assertTrue(server.process.isAlive(), "an ignored SIGHUP does not stop the server");
        }
        finally
        {
            server.process.destroy();
            assertTrue(server.process.waitFor(15, TimeUnit.SECONDS), "the server stopped on SIGTERM");
        }
    }

    private static Path killCommand()
    {
        return Stream.of("/bin/kill", "/usr/bin/kill").map(Path::of).filter(Files::isExecutable).findFirst()
            .orElse(null);
    }

    private static void sighup(final Path kill, final ChildServer server) throws Exception
    {
        final Process sent = new ProcessBuilder(kill.toString(), "-HUP", Long.toString(server.process.pid()))
            .redirectErrorStream(true).start();
        assertTrue(sent.waitFor(10, TimeUnit.SECONDS), "kill returned");
        assertEquals(0, sent.exitValue(), "kill -HUP " + server.process.pid());
    }

    private void awaitReady(final ChildServer server, final String text) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        String ready = get(server, "/readyz");
        while (!ready.contains(text))
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("/readyz never showed " + text + " in " + DEADLINE_MS + " ms: " + ready);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            ready = get(server, "/readyz");
        }
    }

    private String get(final ChildServer server, final String path) throws IOException, InterruptedException
    {
        return client.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private static URI uri(final ChildServer server, final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port + path);
    }
}
