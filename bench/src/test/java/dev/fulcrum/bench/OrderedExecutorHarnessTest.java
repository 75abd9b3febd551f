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

class OrderedExecutorHarnessTest
{
    @Test
    void shouldWritePercentileFilesSummaryAndRatiosWhenRunWithTinySizes(@TempDir final Path out) throws Exception
    {
        final OrderedHarnessOptions options = OrderedHarnessOptions.parse(
            "--out=" + out, "--warmup-ms=20", "--duration-ms=150", "--short-ns=20000", "--long-factor=10",
            "--long-percent=1", "--hot-share=0.2", "--slots=1024", "--max-requests=20000");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();

        final Path summary =
            new OrderedExecutorHarness(options, new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        final String text = Files.readString(summary);
        assertAll(
            () -> assertTrue(Files.size(out.resolve("tail-fulcrum.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("tail-stripes.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("hotkey-fulcrum.hgrm")) > 0),
            () -> assertTrue(Files.size(out.resolve("hotkey-stripes-others.hgrm")) > 0),
            () -> assertTrue(text.contains("| tail | fulcrum | all |"), text),
            () -> assertTrue(text.contains("| hotkey | stripes | key != 0 |"), text),
            () -> assertTrue(text.contains("hotkey, all tasks: fulcrum / stripes: p99"), text));
    }

    @Test
    void shouldRejectOptionWhenUnknownOrOutOfRange()
    {
        assertAll(
            () -> assertThrows(IllegalArgumentException.class, () -> OrderedHarnessOptions.parse("--nope=1")),
            () -> assertThrows(IllegalArgumentException.class, () -> OrderedHarnessOptions.parse("--slots=1000")),
            () -> assertThrows(IllegalArgumentException.class, () -> OrderedHarnessOptions.parse("--load=1.5")),
            () -> assertThrows(IllegalArgumentException.class, () -> OrderedHarnessOptions.parse("--impls=tpe")),
            () -> assertThrows(IllegalArgumentException.class,
                () -> OrderedHarnessOptions.parse("--scenarios=cold")),
            () -> assertThrows(IllegalArgumentException.class, () -> OrderedHarnessOptions.parse("workers=2")));
    }
}
