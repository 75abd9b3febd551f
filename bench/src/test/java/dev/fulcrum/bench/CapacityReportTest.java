package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapacityReportTest
{
    @Test
    void shouldMeasureEveryPolicyKeyedAndNotAndTabulateEachCellWhenRunOnceWithoutForking() throws Exception
    {
        final CapacityOptions options = CapacityOptions.parse("--workers=2,4,8", "--forks=1");
        final Collection<RunResult> results = CapacityReport.run(CapacityReport.jmh(options)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldDoGC(false)
            .verbosity(VerboseMode.SILENT));

        assertEquals(3 * Policy.NAMES.size() * 2, results.size());
        for (final RunResult result : results)
        {
            final double dispatches = result.getSecondaryResults().get("dispatches").getScore();
            final double cycles = result.getSecondaryResults().get("cycles").getScore();
            assertTrue(dispatches > 0 && cycles > 0, () -> "nothing dispatched: " + result.getParams());
            final int workers = Integer.parseInt(result.getParams().getParam("workers"));
            final int perCycle = "joinIdleQueue".equals(result.getParams().getParam("policy")) ? workers : workers * 16;
            assertEquals(perCycle, dispatches / cycles, 1e-9, () -> "a cycle fills every worker: " +
                result.getParams());
            assertTrue(result.getSecondaryResults().get("balancerNs").getScore() > 0);
            assertTrue(result.getSecondaryResults().get("cycleP50Ns").getScore() > 0);
        }
        final CapacityTable table = CapacityReport.table(results);
        for (final String policy : Policy.NAMES)
        {
            for (final int w : new int[] {2, 4, 8})
            {
                assertEquals(1, table.forks(w, policy, false).size(), policy + " " + w);
                assertEquals(1, table.forks(w, policy, true).size(), policy + " " + w + " keyed");
            }
            assertFalse(null == table.growth(policy, true), policy);
        }
    }

    @Test
    void shouldHoldTheSameInFlightForEveryWorkerCountWhenAskedTo() throws Exception
    {
        final CapacityOptions options = CapacityOptions.parse("--workers=2,8", "--policies=leastLoaded",
            "--keyed=false", "--in-flight=64");
        final Collection<RunResult> results = CapacityReport.run(CapacityReport.jmh(options)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldDoGC(false)
            .verbosity(VerboseMode.SILENT));
        assertEquals(2, results.size());
        for (final RunResult result : results)
        {
            assertEquals(64, result.getSecondaryResults().get("dispatches").getScore() /
                result.getSecondaryResults().get("cycles").getScore(), 1e-9, () -> "" + result.getParams());
        }
    }

    @Test
    void shouldNameTheOptionAndValueWhenAnOptionIsBad()
    {
        assertMessage("workers=0", "--workers=0");
        assertMessage("workers=2,x", "--workers=2,x");
        assertMessage("policy=fastest", "--policies=leastLoaded,fastest");
        assertMessage("keyed=maybe", "--keyed=maybe");
        assertMessage("forks=0", "--forks=0");
        assertMessage("in-flight=-1", "--in-flight=-1");
        assertMessage("--wrokers=2", "--wrokers=2");
        assertTrue(CapacityOptions.parse("--help").help);
    }

    private static void assertMessage(final String expected, final String arg)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> CapacityOptions.parse(arg));
        assertTrue(ex.getMessage().contains(expected), ex::getMessage);
    }
}
