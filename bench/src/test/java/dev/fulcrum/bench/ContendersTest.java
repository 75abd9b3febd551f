package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        final Probe expected = new Probe();
        final Probe[] window = new Probe[WINDOW];
        for (int i = 0; i < WINDOW; i++)
        {
            window[i] = new Probe();
        }
        try (Contender contender = Contenders.create(spec, 3))
        {
            for (int s = 0; s < REQUESTS + WINDOW; s++)
            {
                final Probe probe = window[s % WINDOW];
                if (s >= WINDOW)
                {
                    contender.awaitYielding(probe);
                    expected.input = s - WINDOW;
                    assertEquals(BenchTask.INSTANCE.execute(expected).output, probe.output, spec);
                }
                if (s < REQUESTS)
                {
                    probe.input = s;
                    probe.reset();
                    contender.send(probe);
                }
            }
            assertTrue(Double.isNaN(contender.variancePending()) || contender.variancePending() >= 0, spec);
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
