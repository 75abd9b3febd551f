package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHarnessTest
{
    @Test
    void shouldWritePercentileFilesChartsAndSummaryWhenRunWithTinySizes(@TempDir final Path out) throws Exception
    {
        final LatencyHarnessOptions options = LatencyHarnessOptions.parse(
            "--out=" + out, "--warmup-ms=20", "--duration-ms=40", "--open-warmup-ms=10", "--peak-ms=20",
            "--rates=0.5", "--short-ns=1000", "--long-factor=10", "--long-percent=5", "--slots=256",
            "--max-requests=20000");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();

        final Path summary = new LatencyHarness(options, new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        final String text = Files.readString(summary);
        assertAll(
            () -> assertTrue(Files.size(out.resolve("closed-fulcrum-shared-spin.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("closed-tpeFuture.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("open-50pct-disruptor-spin.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("balance-fulcrum-leastLoaded.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("balance-disruptor.hgrm")) > 0),
            () -> assertTrue(Files.readString(out.resolve("closed.svg")).startsWith("<svg")),
            () -> assertTrue(Files.readString(out.resolve("open-50pct.svg")).startsWith("<svg")),
            () -> assertTrue(Files.readString(out.resolve("balance.svg")).startsWith("<svg")),
            () -> assertTrue(text.contains("| balance | fulcrum-joinIdleQueue |"), text),
            () -> assertTrue(text.contains("| closed | forkJoin |"), text));
    }

    @Test
    void shouldNameTheSlowWorkersThreadInTheBalanceRowWhenOneWorkerIsSlow(@TempDir final Path out) throws Exception
    {
        final LatencyHarnessOptions options = LatencyHarnessOptions.parse(
            "--out=" + out, "--parts=balance", "--balance-impls=fulcrum-default,tpeCallback,forkJoin",
            "--balance-workers=2", "--task=park", "--short-ns=200000", "--long-percent=0", "--slow-worker=0.5",
            "--balance-load=0.2",
            "--duration-ms=100", "--open-warmup-ms=20", "--slots=256");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();

        final Path summary = new LatencyHarness(options, new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        final String text = Files.readString(summary);
        final String printed = log.toString(StandardCharsets.UTF_8);
        assertAll(
            () -> assertTrue(text.contains("--slow-worker=0.5"), text),
            () -> assertTrue(text.matches("(?s).*\\| balance \\| fulcrum-default \\|[^\\n]*" +
                "slow worker x2\\.00 \\(speed 0\\.5\\): thread=fulcrum-worker-[01][ ;].*"), text),
            () -> assertTrue(text.matches("(?s).*\\| balance \\| tpeCallback \\|[^\\n]*" +
                "slow worker x2\\.00 \\(speed 0\\.5\\): thread=tpe-callback-[01][ ;].*"), text),
            () -> assertTrue(text.matches("(?s).*\\| balance \\| forkJoin \\|[^\\n]*slow worker x2\\.00 " +
                "\\(speed 0\\.5\\): thread=ForkJoinPool-[0-9]+-worker-[0-9]+[ ;].*"), text),
            () -> assertTrue(printed.contains("thread=fulcrum-worker-"), printed));
    }

    @Test
    void shouldRejectOptionWhenUnknownOrOutOfRange()
    {
        assertAll(
            () -> assertThrows(IllegalArgumentException.class, () -> LatencyHarnessOptions.parse("--nope=1")),
            () -> assertThrows(IllegalArgumentException.class, () -> LatencyHarnessOptions.parse("--slots=1000")),
            () -> assertThrows(IllegalArgumentException.class,
                () -> LatencyHarnessOptions.parse("--latency-impls=fulcrum-sideways")),
            () -> assertThrows(IllegalArgumentException.class, () -> LatencyHarnessOptions.parse("workers=2")));
    }
}
