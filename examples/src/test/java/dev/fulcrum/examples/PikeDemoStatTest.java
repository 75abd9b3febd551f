package dev.fulcrum.examples;

import dev.fulcrum.stat.CountersFile;
import dev.fulcrum.stat.tool.FulcrumStat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the README promises an operator: with a counters directory and latency histograms turned on from the command
 * line alone (no code), a running {@link PikeDemo} in another JVM is watched with {@code fulcrum-stat}, which shows
 * each worker's pending count, rates per second, and the latency percentiles of the last interval, sample after
 * sample.
 */
class PikeDemoStatTest
{
    private static final int WORKERS = 4;

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void stopChild() throws InterruptedException
    {
        if (null != child && child.isAlive())
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(180)
    void shouldShowARunningPikeDemosWorkersPendingRatesAndLatencyFromAnotherProcess() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(null != java, "skipped: the java binary of this JVM is unknown, so no child JVM can be started");
        child = new ProcessBuilder(java,
            "-Dfulcrum.counters.dir=" + dir, "-Dfulcrum.latency=true",
            "-cp", System.getProperty("java.class.path"), PikeDemo.class.getName(),
            "--policies=leastLoaded", "--requesters=20", "--workers=" + WORKERS, "--think-us=2000", "--work-us=1000",
            "--warmup-ms=100", "--duration-ms=120000", "--lines=1", "--chart=" + dir.resolve("pike.svg"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();

        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!headerWritten(child.pid()))
        {
            assertTrue(System.nanoTime() < deadline && child.isAlive(), "the demo's balancer made its counters file");
            Thread.onSpinWait();
            Thread.yield();
        }
        final String watch = stat("--dir", dir.toString(), "--pid", Long.toString(child.pid()), "--count", "3",
            "--interval-ms", "1000");
        final String[] samples = watch.split("(?m)^--\n"); // the tool ends each sample with a line of its own: --
        assertTrue(samples.length >= 3, watch);
        final String last = samples[samples.length - 1];
        assertTrue(last.contains("LIVE"), last);
        assertTrue(last.contains("policy=leastLoaded"), last);
        for (int w = 0; w < WORKERS; w++)
        {
            assertTrue(value(last, "worker " + w + ": pending") >= 0, last);
            // the second sample on has a rate beside each total; Pike's load keeps every worker busy
            assertTrue(rate(last, "worker " + w + ": completed") > 0, last);
            // work is 0..2 ms parked, so a request's service time is hundreds of microseconds at least
            assertTrue(value(last, "worker " + w + ": service p50 ns") > 0, last);
            assertTrue(value(last, "worker " + w + ": service p99 ns") >= value(last, "worker " + w + ": service p50 ns"),
                last);
            assertTrue(value(last, "worker " + w + ": wait max ns") > 0, last);
        }
    }

    /**
     * @return true once the child's file is there with its header complete (the writer puts the magic last).
     */
    private boolean headerWritten(final long pid)
    {
        try
        {
            final var files = CountersFile.list(dir);
            return 1 == files.size() && pid == CountersFile.open(files.get(0)).pid();
        }
        catch (final java.io.IOException | RuntimeException notYet)
        {
            return false;
        }
    }

    private static String stat(final String... args) throws InterruptedException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = FulcrumStat.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, () -> err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static long value(final String sample, final String label)
    {
        return Long.parseLong(line(sample, label).group(1).replace(",", ""));
    }

    private static double rate(final String sample, final String label)
    {
        final String rate = line(sample, label).group(2);
        assertTrue(null != rate, () -> "no rate for " + label + " in\n" + sample);
        return Double.parseDouble(rate.replace(",", ""));
    }

    private static Matcher line(final String sample, final String label)
    {
        final Matcher m = Pattern.compile("^\\s*\\d+:\\s+([\\d,]+)\\s+(?:([\\d,.]+)/s\\s+)?- " + Pattern.quote(label) + "$",
            Pattern.MULTILINE).matcher(sample);
        assertTrue(m.find(), () -> "no line '" + label + "' in\n" + sample);
        return m;
    }
}
