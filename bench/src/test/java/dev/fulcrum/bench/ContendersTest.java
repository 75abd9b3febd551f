package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.ObjIntConsumer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContendersTest
{
    private static final int REQUESTS = 2_000;
    private static final int WINDOW = 8;

    @ParameterizedTest
    @ValueSource(strings = {
        "fulcrum-leastLoaded", "fulcrum-roundRobin", "fulcrum-powerOfTwoChoices", "fulcrum-joinIdleQueue",
        "fulcrum-shared-yield", "tpeFuture", "tpeCallback", "forkJoin", "disruptor", "disruptor-yield"})
    void shouldReturnEveryResultToItsRequesterWhenAWindowOfRequestsIsInFlight(final String spec)
    {
        try (Contender contender = Contenders.create(spec, 3))
        {
            checkRoundTrips(contender, spec, REQUESTS, WINDOW, (probe, s) -> contender.send(probe));
            assertTrue(Double.isNaN(contender.variancePending()) || contender.variancePending() >= 0, spec);
        }
    }

    /**
     * Send {@code requests} numbered probes through {@code send}, at most {@code windowSize} in flight, and check
     * each result against the task run directly.
     */
    static void checkRoundTrips(
        final Contender contender,
        final String spec,
        final int requests,
        final int windowSize,
        final ObjIntConsumer<Probe> send)
    {
        final Probe expected = new Probe();
        final Probe[] window = new Probe[windowSize];
        for (int i = 0; i < windowSize; i++)
        {
            window[i] = new Probe();
        }
        for (int s = 0; s < requests + windowSize; s++)
        {
            final Probe probe = window[s % windowSize];
            if (s >= windowSize)
            {
                contender.awaitYielding(probe);
                expected.input = s - windowSize;
                assertEquals(BenchTask.INSTANCE.execute(expected).output, probe.output, spec);
            }
            if (s < requests)
            {
                probe.input = s;
                probe.reset();
                send.accept(probe, s);
            }
        }
    }

    @Test
    void shouldRejectSpecWhenTokenIsUnknownRepeatedOrForAnotherKind()
    {
        assertAll(
            () -> assertThrows(IllegalArgumentException.class, () -> Contenders.validate("grpc")),
            () -> assertThrows(IllegalArgumentException.class, () -> Contenders.validate("fulcrum-fastest")),
            () -> assertThrows(IllegalArgumentException.class, () -> Contenders.validate("fulcrum-spin-yield")),
            () -> assertThrows(IllegalArgumentException.class, () -> Contenders.validate("disruptor-roundRobin")),
            () -> assertThrows(IllegalArgumentException.class, () -> Contenders.validate("tpeCallback-spin")));
    }
}
