package dev.fulcrum.stat.tool;

import dev.fulcrum.stat.CountersFile;
import dev.fulcrum.stat.CountersLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Across processes, as the tool is used: a child JVM runs a balancer with a counters directory under a steady
 * trickle of work ({@link TrickleMain}); this JVM reads its file while it runs (completed rises, pending is seen,
 * errors are logged), runs the tool in-process through its {@code main} with {@code --count} (list, text, JSON,
 * errors), then kills the child with no chance to close and finds the file still readable and listed as dead, and
 * deleted by {@code --delete-dead}.
 */
class StatToolProcessTest
{
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws InterruptedException
    {
        if (null != child && child.isAlive())
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(180)
    void shouldFollowALiveBalancerInAnotherProcessAndTellWhenItDied() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(null != java, "skipped: the java binary of this JVM is unknown, so no child JVM can be started");
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TrickleMain.class.getName(),
            dir.toString())
            .redirectErrorStream(true)
            .start();
        final BufferedReader childOut =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", childOut.readLine(), "the child built its balancer");
        final Thread drain = new Thread(() -> childOut.lines().forEach(System.out::println), "child-output");
        drain.setDaemon(true); // whatever else the child prints is passed on, so its pipe never fills
        drain.start();
        final long pid = child.pid();

        final List<Path> files = CountersFile.list(dir);
        assertEquals(1, files.size(), files::toString);
        final CountersFile file = CountersFile.open(files.get(0));
        assertEquals(pid, file.pid());
        assertEquals(CountersFile.Status.LIVE, file.status());
        assertEquals("DEDICATED", file.threadingMode());

        final long completed = total(file, CountersLayout.TYPE_WORKER_COMPLETED);
        Await.until(() -> total(file, CountersLayout.TYPE_WORKER_COMPLETED) > completed + 10,
            () -> "completed rises past " + completed);
        Await.until(() -> total(file, CountersLayout.TYPE_WORKER_PENDING) > 0, () -> "some request is seen pending");
        Await.until(() -> file.forEachError((count, first, last, text) -> { }) > 0, () -> "an error is logged");
        assertEquals(2, total(file, CountersLayout.TYPE_POOL_SIZE), "sampled by the child's watchdog");

        final String listed = stat("--dir", dir.toString());
        assertTrue(listed.contains(files.get(0).getFileName() + " ") && listed.contains(" " + pid + " ") &&
            listed.contains("LIVE") && listed.contains("leastLoaded") && listed.contains("DEDICATED"), listed);

        final String text = statMain("--dir", dir.toString(), "--pid", Long.toString(pid), "--count", "2",
            "--interval-ms", "200");
        assertEquals(2, text.lines().filter(line -> line.contains(" pid=" + pid + " LIVE ")).count(), text);
        assertTrue(text.contains("- worker 0: completed"), text);
        assertTrue(text.contains("- worker 1: state (RUNNING)"), text);
        assertTrue(text.lines().anyMatch(line -> line.endsWith("- dispatched") && line.contains("/s")),
            () -> "a rate beside the total in the second sample: " + text);

        final String json = stat("--dir", dir.toString(), "--pid", Long.toString(pid), "--count", "2",
            "--interval-ms", "100", "--json");
        final List<String> samples = json.lines().collect(Collectors.toList());
        assertEquals(2, samples.size(), json);
        for (final String sample : samples)
        {
            assertTrue(sample.startsWith("{\"time\":\"") && sample.endsWith("]}"), sample);
            assertTrue(sample.contains("\"pid\":" + pid + ",\"status\":\"LIVE\""), sample);
            assertTrue(sample.contains("\"label\":\"worker 0: completed\""), sample);
        }
        assertTrue(samples.get(0).contains("\"label\":\"dispatched\",\"value\":") &&
            samples.get(1).matches(".*\"label\":\"dispatched\",\"value\":\\d+,\"rate\":[0-9.]+}.*"), json);

        final String errors = stat("--dir", dir.toString(), "--pid", Long.toString(pid), "--errors");
        assertTrue(errors.contains("java.lang.IllegalStateException: trickle reply refused request"), errors);
        assertTrue(errors.contains(" observations from "), errors);

        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is gone");
        final long last = total(file, CountersLayout.TYPE_WORKER_COMPLETED);
        final CountersFile after = CountersFile.open(files.get(0));
        assertEquals(CountersFile.Status.DEAD, after.status(), "killed: not closed, and its process is gone");
        assertEquals(last, total(after, CountersLayout.TYPE_WORKER_COMPLETED), "its last figures are still there");
        assertTrue(stat("--dir", dir.toString()).contains("DEAD"), "listed as dead");

        final String deleted = stat("--dir", dir.toString(), "--delete-dead");
        assertTrue(deleted.contains("deleted " + files.get(0).getFileName() + " (DEAD)"), deleted);
        assertTrue(CountersFile.list(dir).isEmpty(), "deleted");
    }

    static long total(final CountersFile file, final int typeId)
    {
        final long[] sum = {0};
        file.forEachCounter((id, type, worker, label, value) -> sum[0] += type == typeId ? value : 0);
        return sum[0];
    }

    /**
     * Run the tool in this JVM, and return what it printed; it must succeed.
     */
    static String stat(final String... args) throws InterruptedException
    {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final ByteArrayOutputStream complained = new ByteArrayOutputStream();
        final int status = FulcrumStat.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8),
            new PrintStream(complained, true, StandardCharsets.UTF_8));
        assertEquals(0, status, () -> complained.toString(StandardCharsets.UTF_8));
        return printed.toString(StandardCharsets.UTF_8);
    }

    /**
     * Run the tool in this JVM through its {@code main} (which returns when it succeeds), and return what it printed.
     */
    static String statMain(final String... args) throws InterruptedException
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            FulcrumStat.main(args);
        }
        finally
        {
            System.setOut(original);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }
}
