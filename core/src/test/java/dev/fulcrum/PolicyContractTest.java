package dev.fulcrum;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.provider.Arguments;

import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PolicyContract} on every built-in policy, as a user runs it on theirs.
 */
class PolicyContractTest
{
    /**
     * @return every built-in policy once, for the engine tests that run on each.
     */
    static Stream<Arguments> policies()
    {
        return Stream.of(
            Arguments.of(Policy.leastLoaded()),
            Arguments.of(Policy.roundRobin()),
            Arguments.of(Policy.powerOfTwoChoices(3)),
            Arguments.of(Policy.joinIdleQueue()),
            Arguments.of(Policy.peakEwma()));
    }

    @Nested
    class LeastLoaded extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            return Policy.leastLoaded();
        }

        @Override
        void checkInternals(final Dispatcher dispatcher, final int step)
        {
            assertTrue(((LeastLoadedDispatcher)dispatcher).heap().isValid(), "heap invariant at step " + step);
        }
    }

    @Nested
    class RoundRobin extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            return Policy.roundRobin();
        }
    }

    @Nested
    class PowerOfTwoChoices extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            return Policy.powerOfTwoChoices(3);
        }
    }

    @Nested
    class JoinIdleQueue extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            return Policy.joinIdleQueue();
        }
    }

    @Nested
    class PeakEwma extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            return Policy.peakEwma();
        }
    }

    @Nested
    class PeakEwmaWithAShortDecay extends PolicyContract
    {
        @Override
        protected Policy policy()
        {
            // 1 us: idle costs fade between most steps of the suite, so the fading is exercised too
            return Policy.peakEwma(Duration.ofNanos(1_000));
        }
    }
}
