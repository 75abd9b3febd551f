package dev.fulcrum.aeron;

import dev.fulcrum.WorkerState;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a run of traffic through one link saw: whether the link was lost (a false positive, its host being up),
 * the worst silence seen, and the load's answers; printed as one line, then asserted.
 */
final class NetnsOutcome
{
    private final NetnsLoad load;
    private final AeronWorkerLink<byte[], byte[]> link;
    private final LinkLoss loss;
    private final WorkerState state;
    private final long worstSilenceNs;
    private final List<Throwable> engineErrors;

    /**
     * @param state        the link's worker's state in the balancer at the end.
     * @param engineErrors what the balancer's error handler was given.
     */
    NetnsOutcome(
        final NetnsLoad load,
        final AeronWorkerLink<byte[], byte[]> link,
        final WorkerState state,
        final LinkSilence silence,
        final List<Throwable> engineErrors)
    {
        this.load = load;
        this.link = link;
        this.loss = link.lossReason();
        this.state = state;
        this.worstSilenceNs = silence.worstNs();
        this.engineErrors = List.copyOf(engineErrors);
    }

    /**
     * The link was never lost, its worker is still running, and every request was answered once with its result.
     */
    void assertNoFalsePositive()
    {
        assertEquals(LinkLoss.NONE, loss, "a false positive: the link was lost with its host up");
        assertEquals(WorkerState.RUNNING, state);
        assertTrue(load.submitted() > 0, "some traffic");
        load.assertEveryRequestAnsweredOnce();
        assertTrue(load.errors.isEmpty(), () -> "no errors: " + load.errors);
        assertTrue(engineErrors.isEmpty(), () -> "nothing reported by the engine: " + engineErrors);
    }

    @Override
    public String toString()
    {
        return load.submitted() + " requests, " + load.answered() + " answered, " + load.errors.size() +
            " errors; false positives: " + (LinkLoss.NONE == loss ? "0" : "1 (" + loss + ")") +
            "; worst silence seen " + TimeUnit.NANOSECONDS.toMillis(worstSilenceNs) + " ms of the " +
            TimeUnit.NANOSECONDS.toMillis(Settings.DEFAULT_TIMEOUT_NS) + " ms timeout; " +
            link.counters().heartbeatsReceived() + " heartbeats received";
    }
}
