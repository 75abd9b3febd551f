package dev.fulcrum.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link RemotePikeDemo} briefly: two worker hosts in child JVMs, one killed halfway. Checks what must hold
 * whatever the machine's speed: pending lines for both workers, the kill and the loss reported, and every request
 * answered exactly once. Never a timing.
 */
class RemotePikeDemoTest
{
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryRequestOnceWhenOneOfTwoHostsIsKilledHalfway() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final boolean ok = RemotePikeDemo.run(
            RemotePikeDemo.Options.parse("--requesters=8", "--duration-ms=3000", "--sample-ms=200"),
            new PrintStream(out, true, StandardCharsets.UTF_8));

        final String report = out.toString(StandardCharsets.UTF_8);
        assertTrue(ok, report);
        assertTrue(report.contains("host 1 killed (SIGKILL)"), report);
        assertTrue(report.contains("worker 1 gone"), report);
        assertTrue(report.contains("every request answered once"), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\s+\\d+ ms\\s+\\d+\\s+\\d+\\s+mean.*")), report);
    }
}
