package dev.fulcrum.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goal tables' scripts ({@code scripts/goals-table.py}, {@code scripts/balance-table.py}) on inputs whose
 * medians, spreads and ratios are known. Skipped, saying so, where there is no {@code python3}.
 */
class GoalTablesTest
{
    private static final Path SCRIPTS = Paths.get("scripts");
    private static final long TIMEOUT_S = 60;

    @BeforeAll
    static void needPython()
    {
        Assumptions.assumeTrue(hasPython(), "skipped: no python3 on the PATH to run the goal tables' scripts");
    }

    @Test
    void shouldTabulateMediansOfForkMeansWithRatiosAndVerdictWhenGivenThroughputJson(@TempDir final Path dir)
        throws Exception
    {
        // window 16; 1 producer, 1 worker: met (4 / 3 = 1.33x forkJoin, 4 / 1 = 4x tpeCallback);
        // 4 producers, 1 worker: met as printed (1.00x forkJoin, 2.9991 = 3.00x tpeCallback);
        // 4 producers, 2 workers: missed (2 / 3 = 0.67x forkJoin). Fork score = mean of its iterations.
        final String json = "[" + String.join(",",
            run("oneProducer", 1, "fulcrum-default", 1, 16, "[[3e6,5e6],[4e6,4e6],[6e6,6e6]]"),
            run("oneProducer", 1, "forkJoin", 1, 16, "[[2e6],[3e6],[4e6]]"),
            run("oneProducer", 1, "tpeCallback", 1, 16, "[[1e6],[1e6],[1.5e6]]"),
            run("fourProducers", 4, "fulcrum-default", 1, 16, "[[3e6],[3e6],[3e6]]"),
            run("fourProducers", 4, "forkJoin", 1, 16, "[[3e6],[3e6],[3e6]]"),
            run("fourProducers", 4, "tpeCallback", 1, 16, "[[1.0003e6],[1.0003e6],[1.0003e6]]"),
            run("fourProducers", 4, "fulcrum-default", 2, 16, "[[2e6],[2e6],[2e6]]"),
            run("fourProducers", 4, "forkJoin", 2, 16, "[[3e6],[3e6],[3e6]]"),
            run("fourProducers", 4, "tpeCallback", 2, 16, "[[0.5e6],[0.5e6],[0.5e6]]"),
            run("oneProducer", 1, "fulcrum-p16-fixed", 1, 1024, "[[1e6],[2e6],[9e6]]")) + "]";
        final Path file = dir.resolve("throughput.json");
        Files.writeString(file, json, StandardCharsets.UTF_8);

        final String out = python("goals-table.py", file.toString());

        assertAll(
            () -> assertTrue(out.contains("### Window 16: M round trips/s, median of 3 forks (min to max)"), out),
            () -> assertTrue(out.contains("| contender | 1p, 1w | 4p, 1w | 4p, 2w |"), out),
            () -> assertTrue(out.contains("| fulcrum-default | 4 (4 to 6) | 3 (3 to 3) | 2 (2 to 2) |"), out),
            () -> assertTrue(out.contains("| forkJoin | 3 (2 to 4) | 3 (3 to 3) | 3 (3 to 3) |"), out),
            () -> assertTrue(out.contains("| tpeCallback | 1 (1 to 1.5) | 1 (1 to 1) | 0.5 (0.5 to 0.5) |"), out),
            () -> assertTrue(out.contains("| fulcrum-default / forkJoin | 1.33x | 1.00x | 0.67x |"), out),
            () -> assertTrue(out.contains("| fulcrum-default / tpeCallback | 4.00x | 3.00x | 4.00x |"), out),
            () -> assertTrue(out.contains("in 2 of 3 cells; met: 1p, 1w, 4p, 1w; missed: 4p, 2w (0.67x forkJoin"),
                out),
            () -> assertTrue(out.contains("### Window 1024"), out),
            () -> assertTrue(out.contains("| fulcrum-p16-fixed | 2 (1 to 9) |"), out),
            () -> assertTrue(out.contains("not measured: 1p, 1w"), out),
            () -> assertTrue(!out.contains("RoundTripLatencyBenchmark"), out));
    }

    @Test
    void shouldTabulateRunsAndJudgeEachGoalWhenGivenHarnessSummaries(@TempDir final Path dir) throws Exception
    {
        // heavy tail: default p99 1,100 (median of 1,000, 1,100, 1,200); best fixed p1 1,000 (p16 2,000): 1.10, met
        summaries(dir, "heavy-tail", "fulcrum-default", new double[][] {{260, 1000, 20000}, {250, 1100, 20100},
            {270, 1200, 20200}}, "");
        summaries(dir, "heavy-tail", "fulcrum-p1-fixed", new double[][] {{255, 1000, 20000}, {255, 1000, 20000},
            {255, 1000, 20000}}, "");
        summaries(dir, "heavy-tail", "fulcrum-p16-fixed", new double[][] {{255, 2000, 20000}, {255, 2000, 20000},
            {255, 2000, 20000}}, "");
        // slow worker: peakEwma 600 / leastLoaded 1,000 = 0.60, met
        final String slow = "; slow worker x4.00 (speed 0.25): thread=fulcrum-worker-2";
        summaries(dir, "slow-worker", "fulcrum-default", new double[][] {{300, 1000, 3000}, {300, 1000, 3000},
            {300, 1000, 3000}}, slow);
        summaries(dir, "slow-worker", "fulcrum-peakEwma-default", new double[][] {{280, 600, 900}, {280, 500, 900},
            {280, 700, 900}}, slow + "; OVERLOADED: sender fell behind, 12 requests never sent");
        // all equal: peakEwma 1,100 / 1,000 = 1.10, missed
        summaries(dir, "equal", "fulcrum-default", new double[][] {{250, 1000, 1500}, {250, 1000, 1500},
            {250, 1000, 1500}}, "");
        summaries(dir, "equal", "fulcrum-peakEwma-default", new double[][] {{250, 1100, 1500}, {250, 1100, 1500},
            {250, 1100, 1500}}, "");

        final String out = python("balance-table.py", dir.toString());

        assertAll(
            () -> assertTrue(out.contains("| fulcrum-default | 3 | 260 (250 to 270) | 1,100 (1,000 to 1,200) | " +
                "20,100 (20,000 to 20,200) |"), out),
            () -> assertTrue(out.contains("| fulcrum-p1-fixed | 3 | 255 (255 to 255) | 1,000 (1,000 to 1,000) |"), out),
            () -> assertTrue(out.indexOf("fulcrum-p1-fixed |") < out.indexOf("fulcrum-p16-fixed |"), out),
            () -> assertTrue(out.contains("best fixed cap p99 (fulcrum-p1-fixed) <= 1.10 | 1,100 / 1,000 us = " +
                "**1.10** | met |"), out),
            () -> assertTrue(out.contains("| fulcrum-peakEwma-default | 3 | 280 (280 to 280) | 600 (500 to 700) |"),
                out),
            () -> assertTrue(out.contains("(both default) <= 0.70 | 600 / 1,000 us = **0.60** | met |"), out),
            () -> assertTrue(out.contains("(both default) <= 1.05 | 1,100 / 1,000 us = **1.10** | missed |"), out),
            () -> assertTrue(out.contains("fulcrum-default: fulcrum-worker-2, fulcrum-worker-2, fulcrum-worker-2"),
                out),
            () -> assertTrue(out.contains("**fulcrum-peakEwma-default: OVERLOADED in 3 run(s)**"), out),
            () -> assertTrue(out.contains("--slow-worker=0.25"), out));
    }

    private static String run(
        final String method, final int threads, final String impl, final int workers, final int window,
        final String rawData)
    {
        return "{\"benchmark\":\"dev.fulcrum.bench.ThroughputBenchmark." + method + "\",\"threads\":" + threads +
            ",\"params\":{\"impl\":\"" + impl + "\",\"workers\":\"" + workers + "\",\"window\":\"" + window + "\"}," +
            "\"primaryMetric\":{\"score\":0,\"scoreUnit\":\"ops/s\",\"rawData\":" + rawData + "}}," +
            // another benchmark in the same file, to be ignored
            "{\"benchmark\":\"dev.fulcrum.bench.RoundTripLatencyBenchmark.roundTrip\",\"threads\":1," +
            "\"params\":{\"impl\":\"" + impl + "\"},\"primaryMetric\":{\"score\":1,\"scoreUnit\":\"ns/op\"," +
            "\"rawData\":[[1]]}}";
    }

    /**
     * One harness summary per run, as the harness writes it, under {@code dir/scenario/run-N/impl/}.
     *
     * @param runs per run: p50, p99 and p99.9 in microseconds.
     */
    private static void summaries(
        final Path dir, final String scenario, final String impl, final double[][] runs, final String note)
        throws IOException
    {
        final String slowWorker = note.contains("slow worker") ? "0.25" : "1.0";
        for (int r = 0; r < runs.length; r++)
        {
            final Path out = Files.createDirectories(dir.resolve(scenario).resolve("run-" + (r + 1)).resolve(impl));
            final double[] p = runs[r];
            final String text = String.join("\n",
                "# Fulcrum latency harness results",
                "",
                "- options: `--out=" + out + " --parts=balance --task=park --balance-workers=4 --short-ns=200000 " +
                    "--long-factor=100 --long-percent=0.1 --slow-worker=" + slowWorker + " --balance-load=0.5 " +
                    "--duration-ms=15000 --open-warmup-ms=3000`",
                "",
                HarnessOutcome.HEADER,
                HarnessOutcome.RULE,
                String.format(java.util.Locale.ROOT, "| balance | %s | 4 | 9099 | 136000 | %.1f | %.1f | %.1f | " +
                    "%.1f | 20500.0 | 21000.0 | 0.20 | 0.25 | load 50%%, service 200000ns, x100 for 0.10%%%s |",
                    impl, p[0], p[0] + 5, p[1], p[2], note),
                "");
            Files.writeString(out.resolve("summary.md"), text, StandardCharsets.UTF_8);
        }
    }

    private static String python(final String script, final String... args) throws Exception
    {
        final Path path = SCRIPTS.resolve(script);
        assertTrue(Files.isRegularFile(path), () -> "no script at " + path.toAbsolutePath());
        final List<String> command = new ArrayList<>(List.of("python3", path.toString()));
        command.addAll(List.of(args));
        final Path output = Files.createTempFile("goal-table", ".txt");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        final boolean ended = process.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
        if (!ended)
        {
            process.destroyForcibly();
        }
        final String out = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        assertTrue(ended, () -> script + " did not end within " + TIMEOUT_S + " s:\n" + out);
        assertEquals(0, process.exitValue(), () -> script + " failed:\n" + out);
        return out;
    }

    private static boolean hasPython()
    {
        try
        {
            final Process process = new ProcessBuilder("python3", "--version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return false;
            }
            return 0 == process.exitValue();
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
