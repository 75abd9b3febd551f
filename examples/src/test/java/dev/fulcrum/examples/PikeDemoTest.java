package dev.fulcrum.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link PikeDemo} briefly (about a second in all) and checks what must hold whatever the machine's speed:
 * every request got its reply, the balancer's books balance after close, the chart is written, and no sample ever
 * shows a worker over its cap. Never a timing.
 */
class PikeDemoTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReplyToEveryRequestAndWriteTheChartWhenEachPolicyRunsBriefly() throws Exception
    {
        final Path chart = dir.resolve("charts/pike-demo.svg");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final PikeDemo.Result result = PikeDemo.run(
            PikeDemo.Options.parse("--warmup-ms=50", "--duration-ms=200", "--lines=2", "--chart=" + chart),
            new PrintStream(out, true, StandardCharsets.UTF_8));

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(List.of("leastLoaded", "roundRobin", "powerOfTwoChoices", "joinIdleQueue"),
            result.policies().stream().map(PikeDemo.PolicyResult::policy).toList(), report);
        for (final PikeDemo.PolicyResult r : result.policies())
        {
            assertTrue(r.submitted() > 0, r.policy() + " submitted nothing\n" + report);
            assertEquals(r.submitted(), r.replied(), r.policy() + ": replies\n" + report);
            assertEquals(r.submitted(), r.engineCompleted(), r.policy() + ": completed by the workers\n" + report);
            assertEquals(0, r.finalPending(), r.policy() + ": pending after close\n" + report);
            assertTrue(r.pendingSamples().length > 0, r.policy() + ": no samples\n" + report);
        }
        assertTrue(result.allReplied(), report);
        assertTrue(report.contains("Summary"), report);

        final String svg = Files.readString(chart);
        assertTrue(svg.startsWith("<svg"), svg);
        assertTrue(svg.endsWith("</svg>\n"), svg);
        for (final PikeDemo.PolicyResult r : result.policies())
        {
            assertTrue(svg.contains(">" + r.policy() + "<"), "chart lacks a panel for " + r.policy());
        }
    }

    @Test
    void shouldNeverShowMoreThanTheCapPendingWhenMaxPendingIsSmall() throws Exception
    {
        final PikeDemo.Result result = PikeDemo.run(
            PikeDemo.Options.parse("--warmup-ms=0", "--duration-ms=200", "--lines=0", "--max-pending=2",
                "--policies=leastLoaded,roundRobin,joinIdleQueue", "--chart=" + dir.resolve("capped.svg")),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        for (final PikeDemo.PolicyResult r : result.policies())
        {
            final long cap = "joinIdleQueue".equals(r.policy()) ? 1 : 2;
            for (final long[] sample : r.pendingSamples())
            {
                for (final long pending : sample)
                {
                    assertTrue(pending >= 0 && pending <= cap, r.policy() + ": pending=" + pending + ", cap=" + cap);
                }
            }
            assertTrue(r.allReplied(), r.policy() + ": " + r);
        }
    }

    @Test
    void shouldRefuseOptionWhenItIsUnknownOrMalformed()
    {
        assertThrows(IllegalArgumentException.class, () -> PikeDemo.Options.parse("--wrokers=3"));
        assertThrows(IllegalArgumentException.class, () -> PikeDemo.Options.parse("--workers=0"));
        assertThrows(IllegalArgumentException.class, () -> PikeDemo.Options.parse("--policies=random"));
        assertThrows(IllegalArgumentException.class, () -> PikeDemo.Options.parse("workers=3"));
        assertThrows(IllegalArgumentException.class, () -> PikeDemo.Options.parse("--work=sleep"));
    }
}
