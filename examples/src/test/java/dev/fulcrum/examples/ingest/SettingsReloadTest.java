package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

import static dev.fulcrum.examples.ingest.IngestServerTest.await;
import static dev.fulcrum.examples.ingest.ResizeUnderLoadTest.writeAtomically;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running server reading its settings file again, triggered by the test ({@link SettingsWatcher#check()},
 * what SIGHUP and each poll do; the poll interval is an hour, so the poller never reads meanwhile): a good change
 * resizes the pool and is logged once; a bad file, or a missing one, is refused with one log line naming the key
 * and the value, and the pool stays; a change that needs a restart is logged once and otherwise ignored.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SettingsReloadTest
{
    @TempDir
    Path dir;

    private IngestServer server;

    @AfterEach
    void tearDown()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldResizeOnAGoodFileAndKeepTheSettingsOnABadOrMissingOne() throws Exception
    {
        final Path file = dir.resolve("ingest.properties");
        writeAtomically(file, "WORKERS=1\n");
        try (LogLines log = new LogLines(SettingsWatcher.class))
        {
            server = start(file);
            assertEquals(1, server.resizer().workers());
            assertEquals(SettingsWatcher.Outcome.UNCHANGED, server.settingsWatcher().check());

            writeAtomically(file, "WORKERS=3\n");
            assertEquals(SettingsWatcher.Outcome.APPLIED, server.settingsWatcher().check());
            awaitPool(3);
            assertEquals(List.of("INFO ingest: settings file: workers 1 -> 3: file=" + file), log.lines());
            assertEquals(SettingsWatcher.Outcome.UNCHANGED, server.settingsWatcher().check(), "the same content again");

            writeAtomically(file, "WORKERS=lots\n");
            assertEquals(SettingsWatcher.Outcome.REFUSED, server.settingsWatcher().check());
            assertEquals("refused: WORKERS must be a whole number: WORKERS=lots",
                server.settingsWatcher().lastProblem());
            assertEquals(SettingsWatcher.Outcome.UNCHANGED, server.settingsWatcher().check(), "refused once, logged once");
            writeAtomically(file, "WORKERS=9\n");
            assertEquals(SettingsWatcher.Outcome.REFUSED, server.settingsWatcher().check());
            writeAtomically(file, "WORKER=2\n");
            assertEquals(SettingsWatcher.Outcome.REFUSED, server.settingsWatcher().check());
            Files.delete(file);
            assertEquals(SettingsWatcher.Outcome.UNREADABLE, server.settingsWatcher().check());
            assertEquals(SettingsWatcher.Outcome.UNREADABLE, server.settingsWatcher().check());
            assertEquals(3, server.resizer().workers(), "the pool stays as it was");
            assertEquals(3, server.resizer().target());
            assertEquals(List.of(
                "WARNING ingest: settings file refused: WORKERS must be a whole number: WORKERS=lots; the current " +
                    "settings stay: file=" + file,
                "WARNING ingest: settings file refused: WORKERS must be in 1..3: WORKERS=9; the current settings " +
                    "stay: file=" + file,
                "WARNING ingest: settings file refused: settings file line 1 has an unknown key (see --help for the " +
                    "settings): WORKER=2; the current settings stay: file=" + file,
                "WARNING ingest: settings file cannot be read: it is missing; the current settings stay: file=" + file),
                log.containing("WARNING"));

            writeAtomically(file, "WORKERS=2\n");
            assertEquals(SettingsWatcher.Outcome.APPLIED, server.settingsWatcher().check(), "a good file again");
            awaitPool(2);
            assertNull(server.settingsWatcher().lastProblem());
            assertEquals(2, server.stats().settingsApplied());
            assertEquals(3, server.stats().settingsRefused());
            assertEquals(List.of("INFO ingest: settings file: workers 1 -> 3: file=" + file,
                "INFO ingest: settings file: workers 3 -> 2: file=" + file), log.containing("INFO"));
        }
    }

    @Test
    void shouldLogOnceAndIgnoreAChangeThatNeedsARestart() throws Exception
    {
        final Path file = dir.resolve("ingest.properties");
        writeAtomically(file, "WORKERS=2\nMAX_QUEUE=64\n");
        try (LogLines log = new LogLines(SettingsWatcher.class))
        {
            server = start(file);

            writeAtomically(file, "WORKERS=2\nMAX_QUEUE=128\nIO_THREADS=2\n");
            assertEquals(SettingsWatcher.Outcome.UNCHANGED, server.settingsWatcher().check());
            writeAtomically(file, "# the same settings, another content\nWORKERS=2\nMAX_QUEUE=128\nIO_THREADS=2\n");
            assertEquals(SettingsWatcher.Outcome.UNCHANGED, server.settingsWatcher().check());
            writeAtomically(file, "WORKERS=1\nMAX_QUEUE=128\nIO_THREADS=2\n");
            assertEquals(SettingsWatcher.Outcome.APPLIED, server.settingsWatcher().check(), "the live setting still applies");
            awaitPool(1);

            assertEquals(List.of(
                "WARNING ingest: settings file: MAX_QUEUE=128 IO_THREADS=2: needs a restart, ignored until then: " +
                    "file=" + file,
                "INFO ingest: settings file: workers 2 -> 1: file=" + file), log.lines());
            assertEquals(64, server.config().ringSize(), "the ring is the one the server started with");
            assertEquals(0, server.stats().settingsRefused());
        }
    }

    @Test
    void shouldShowThePoolOnReadyzAndStatsWhenResized() throws Exception
    {
        final Path file = dir.resolve("ingest.properties");
        writeAtomically(file, "WORKERS=1\n");
        server = start(file);

        assertTrue(get("/readyz").contains(
            "{\"status\":\"ready\",\"workers\":1,\"targetWorkers\":1,\"workersLeaving\":0,\"maxWorkers\":3}"));
        writeAtomically(file, "WORKERS=3\n");
        server.settingsWatcher().check();
        awaitPool(3);

        assertTrue(get("/readyz").contains("\"workers\":3,\"targetWorkers\":3"));
        final String stats = get("/v1/stats");
        assertTrue(stats.contains("\"workers\":3,\"targetWorkers\":3,\"workersLeaving\":0,\"maxWorkers\":3," +
            "\"settingsApplied\":1,\"settingsRefused\":0"), stats);
    }

    private IngestServer start(final Path file) throws Exception
    {
        return IngestServer.start(IngestConfig.from(Map.of("PORT", "0", "BIND_ADDRESS", "127.0.0.1",
            "ACK_MODE", "queued", "MAX_WORKERS", "3", "SETTINGS_FILE", file.toString(),
            "SETTINGS_POLL_MS", "3600000")), new RecordingSink(false));
    }

    private void awaitPool(final int workers)
    {
        await(() -> workers == server.resizer().workers() && 0 == server.resizer().removalsInFlight(),
            "the pool has " + workers + " workers");
        assertEquals(workers, server.balancer().workers());
    }

    private String get(final String path) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }
}
