package dev.fulcrum.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link OrderRouterDemo} briefly and checks its invariants: every order replied exactly once, each
 * instrument's orders replied in sequence and never matched on two workers at once, nothing lost, the balancer
 * quiescent after close. Garbage-collection counts are reported by the program but not asserted here: a second is
 * too short for the JIT to finish, and the test runner's own threads allocate.
 */
class OrderRouterDemoTest
{
    @Test
    void shouldReplyToEveryOrderInSequenceWhenPopularityIsSkewed() throws Exception
    {
        assertInvariants("--warmup-ms=200", "--duration-ms=600", "--rate=50000");
    }

    @Test
    void shouldReplyInSequenceWhenAFewHotInstrumentsFlood() throws Exception
    {
        // as fast as the pools allow, three instruments, one of them taking most orders, one order per worker at a
        // time: keyed requests keep piling up behind a busy worker, the path where order is easiest to lose
        assertInvariants("--warmup-ms=0", "--duration-ms=400", "--rate=0", "--instruments=3", "--skew=3",
            "--max-pending=1", "--work-ns=0", "--orders-per-gateway=256");
    }

    @Test
    void shouldReplyInSequenceWhenOneGatewayOwnsEveryInstrumentAndWorkersAreMany() throws Exception
    {
        assertInvariants("--warmup-ms=0", "--duration-ms=300", "--rate=0", "--gateways=1", "--workers=6",
            "--instruments=50", "--skew=0", "--max-pending=4");
    }

    @Test
    void shouldSayBehindAndNotOkWhenTheDeskFallsBehindItsRate() throws Exception
    {
        // the target is out of reach by construction, not by timing: 1 worker matching for 1 ms per order can
        // reply to at most 1,000 orders/s, and the target is 100 times that
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final OrderRouterDemo.Result r = OrderRouterDemo.run(
            OrderRouterDemo.Options.parse("--warmup-ms=0", "--duration-ms=300", "--rate=100000", "--workers=1",
                "--gateways=1", "--work-ns=1000000", "--orders-per-gateway=64"),
            new PrintStream(out, true, StandardCharsets.UTF_8));
        final String report = out.toString(StandardCharsets.UTF_8);

        assertTrue(r.invariantsHeld(), report);
        assertFalse(r.keptUp(), report);
        assertTrue(report.contains("BEHIND: replied to"), report);
        assertFalse(report.contains("OK:"), report);
    }

    private static void assertInvariants(final String... args) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final OrderRouterDemo.Result r = OrderRouterDemo.run(
            OrderRouterDemo.Options.parse(args), new PrintStream(out, true, StandardCharsets.UTF_8));
        final String report = out.toString(StandardCharsets.UTF_8);

        assertTrue(r.submitted() > 0, report);
        assertEquals(r.submitted(), r.replied(), "replies\n" + report);
        assertEquals(0, r.outOfOrder(), "out-of-order replies\n" + report);
        assertEquals(0, r.concurrentRuns(), "instruments matched on two workers at once\n" + report);
        assertEquals(0, r.instrumentsWithLosses(), "instruments with lost orders\n" + report);
        assertTrue(r.quiescent(), "balancer not quiescent after close\n" + report);
        assertTrue(r.violations().isEmpty(), report);
        assertTrue(r.invariantsHeld(), report);
    }
}
