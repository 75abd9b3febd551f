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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link PikeDemo} briefly (a few seconds in all) and checks what must hold whatever the machine's speed:
 * every request got its reply, the balancer's books balance after close, the chart is written, no sample ever
 * shows a worker over its cap, and {@code --fixed-binding} turns adaptive binding off. Never a timing.
 */
class PikeDemoTest
{
    /** Two workers and 40 requesters that never think: every worker always has all the cap lets it hold. */
    private static final String[] SATURATED = {
        "--requesters=40", "--workers=2", "--think-us=0", "--work-us=1000", "--lines=0", "--sample-ms=10"};
    /**
     * Two workers and 3 requesters that never think: with room, one worker holds 2 requests; and the other worker
     * finds its queue empty after each task, so adaptive binding gets its first sample at once (a worker's timed
     * batch ends only when its queue is empty or it has run a queue's worth of tasks).
     */
    private static final String[] THREE_ON_TWO = {
        "--requesters=3", "--workers=2", "--think-us=0", "--work-us=50000", "--lines=0", "--sample-ms=10"};

    @TempDir
    Path dir;

    @Test
    void shouldReplyToEveryRequestAndWriteTheChartWhenEachPolicyRunsBriefly() throws Exception
    {
        final Path chart = dir.resolve("charts/pike-demo.svg");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final PikeDemo.Result result = PikeDemo.run(
            PikeOptions.parse("--warmup-ms=50", "--duration-ms=200", "--lines=2", "--chart=" + chart),
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
        assertTrue(report.contains("adaptive binding, maxPendingPerWorker=default"), report);
        assertTrue(report.contains("most pending"), report);

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
            PikeOptions.parse("--warmup-ms=0", "--duration-ms=200", "--lines=0", "--max-pending=2",
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
    void shouldLeaveBindingToTheEngineWhenNoBindingOptionIsGiven()
    {
        final PikeOptions options = PikeOptions.parse();

        assertFalse(options.fixedBinding());
        assertEquals(0, options.maxPendingPerWorker(), "0: the builder's maxPendingPerWorker is not called");
        assertEquals("adaptive binding, maxPendingPerWorker=default", options.binding());
        assertEquals("adaptive binding, maxPendingPerWorker=8", PikeOptions.parse("--max-pending=8").binding());
    }

    @Test
    void shouldTurnAdaptiveBindingOffWhenFixedBindingIsGiven()
    {
        assertTrue(PikeOptions.parse("--fixed-binding").fixedBinding());
        assertTrue(PikeOptions.parse("--fixed-binding=true").fixedBinding());
        assertFalse(PikeOptions.parse("--fixed-binding=false").fixedBinding());

        final PikeOptions before = PikeOptions.parse("--fixed-binding", "--workers", "3");
        assertTrue(before.fixedBinding());
        assertEquals(3, before.workers(), "the switch takes no value, so the next option is read as given");
        final PikeOptions after = PikeOptions.parse("--max-pending", "16", "--fixed-binding");
        assertTrue(after.fixedBinding());
        assertEquals(16, after.maxPendingPerWorker());
        assertEquals("fixed binding, maxPendingPerWorker=16", after.binding());
        assertEquals("fixed binding, maxPendingPerWorker=default",
            PikeOptions.parse("--fixed-binding").binding());
    }

    @Test
    void shouldRefuseBindingOptionWhenItsValueIsMissingOrMalformed()
    {
        final IllegalArgumentException yes = assertThrows(IllegalArgumentException.class,
            () -> PikeOptions.parse("--fixed-binding=yes"));
        assertTrue(yes.getMessage().contains("--fixed-binding=yes"), yes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--fixed-binding", "yes"));
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--fixed-bindings"));

        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> PikeOptions.parse("--max-pending=0"));
        assertTrue(zero.getMessage().contains("--max-pending=0"), zero.getMessage());
        final IllegalArgumentException bare = assertThrows(IllegalArgumentException.class,
            () -> PikeOptions.parse("--max-pending", "--fixed-binding"));
        assertTrue(bare.getMessage().contains("--max-pending"), bare.getMessage());
    }

    @Test
    void shouldQueueUpToTheCapAndReplyToEveryRequestWhenBindingIsFixed() throws Exception
    {
        final PikeDemo.Result result = quietRun(SATURATED, "--fixed-binding", "--max-pending=4",
            "--policies=leastLoaded,roundRobin", "--warmup-ms=50", "--duration-ms=200",
            "--chart=" + dir.resolve("fixed.svg"));

        for (final PikeDemo.PolicyResult r : result.policies())
        {
            assertTrue(r.allReplied(), r.policy() + ": " + r);
            // 40 requests in flight on 2 workers: a fixed cap of 4 is always full, and never passed
            assertTrue(r.mostPending() > 1 && r.mostPending() <= 4, r.policy() + ": most pending " + r.mostPending());
        }
    }

    @Test
    void shouldBindLateWhenTasksAreLongUnlessBindingIsFixed() throws Exception
    {
        // Tasks of 0 to 100 ms, 10 times the engine's default binding target of 5 ms on average: adaptive binding
        // sets the cap to 1 at the look after the first completion (within 100 ms), a worker that held 2 by then has
        // run both within another 200 ms, long before the warm-up ends, and the third request waits in the ring
        // (the estimate would have to fall below 2.5 ms for a cap of 2: several tasks in a row under that, about
        // one chance in a million). Fixed, the engine's default cap (16) leaves room for it at a worker.
        final PikeDemo.PolicyResult adaptive = quietRun(THREE_ON_TWO, "--policies=leastLoaded", "--warmup-ms=500",
            "--duration-ms=200", "--chart=" + dir.resolve("adaptive.svg")).policies().get(0);
        final PikeDemo.PolicyResult fixed = quietRun(THREE_ON_TWO, "--fixed-binding", "--policies=leastLoaded",
            "--warmup-ms=50", "--duration-ms=200", "--chart=" + dir.resolve("fixed.svg")).policies().get(0);

        assertTrue(adaptive.allReplied(), "adaptive: " + adaptive);
        assertTrue(fixed.allReplied(), "fixed: " + fixed);
        assertEquals(1, adaptive.mostPending(), "adaptive binding, long tasks: a worker holds only what it runs");
        assertEquals(2, fixed.mostPending(), "fixed binding: the third request queues behind a running one");
    }

    @Test
    void shouldRefuseOptionWhenItIsUnknownOrMalformed()
    {
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--wrokers=3"));
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--workers=0"));
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--policies=random"));
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("workers=3"));
        assertThrows(IllegalArgumentException.class, () -> PikeOptions.parse("--work=sleep"));
    }

    private PikeDemo.Result quietRun(final String[] load, final String... more) throws Exception
    {
        final String[] args = new String[load.length + more.length];
        System.arraycopy(load, 0, args, 0, load.length);
        System.arraycopy(more, 0, args, load.length, more.length);
        return PikeDemo.run(PikeOptions.parse(args),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
