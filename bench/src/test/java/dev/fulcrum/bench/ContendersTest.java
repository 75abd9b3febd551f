package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.function.ObjIntConsumer;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContendersTest
{
    private static final int REQUESTS = 2_000;
    private static final int WINDOW = 8;

    @ParameterizedTest
    @ValueSource(strings = {
        "fulcrum-leastLoaded", "fulcrum-roundRobin", "fulcrum-powerOfTwoChoices", "fulcrum-joinIdleQueue",
        "fulcrum-shared-yield", "fulcrum-default", "fulcrum-peakEwma-default", "fulcrum-p16-fixed", "fulcrum-p1-fixed",
        "tpeFuture", "tpeCallback", "forkJoin", "disruptor", "disruptor-yield"})
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

    @Test
    void shouldLeaveEverySettingButThePolicyToTheEngineWhenSpecSaysDefault()
    {
        final FulcrumSettings plain = Contenders.fulcrumSettings("fulcrum-default");
        final FulcrumSettings peakEwma = Contenders.fulcrumSettings("fulcrum-peakEwma-default");
        final FulcrumSettings reordered = Contenders.fulcrumSettings("fulcrum-default-roundRobin");
        assertAll(
            () -> assertNull(plain.policy),
            () -> assertNull(plain.threadingMode),
            () -> assertNull(plain.idle),
            () -> assertEquals(0, plain.maxPendingPerWorker),
            () -> assertTrue(plain.adaptiveBinding),
            () -> assertEquals("peakEwma", peakEwma.policy.name()),
            () -> assertNull(peakEwma.threadingMode),
            () -> assertNull(peakEwma.idle),
            () -> assertEquals(0, peakEwma.maxPendingPerWorker),
            () -> assertTrue(peakEwma.adaptiveBinding),
            () -> assertEquals("roundRobin", reordered.policy.name()),
            () -> assertNull(reordered.threadingMode));
    }

    @Test
    void shouldFixTheCapAtPnWhenSpecSaysFixedAndUseItAsCeilingOtherwise()
    {
        final FulcrumSettings oldDefault = Contenders.fulcrumSettings("fulcrum-p16-fixed");
        final FulcrumSettings fixedOne = Contenders.fulcrumSettings("fulcrum-fixed-p1-roundRobin");
        final FulcrumSettings fixedNoPn = Contenders.fulcrumSettings("fulcrum-fixed");
        final FulcrumSettings ceiling = Contenders.fulcrumSettings("fulcrum-p4");
        assertAll(
            () -> assertEquals("leastLoaded", oldDefault.policy.name()),
            () -> assertEquals(ThreadingMode.DEDICATED, oldDefault.threadingMode),
            () -> assertEquals(IdleKind.BACKOFF, oldDefault.idle),
            () -> assertEquals(16, oldDefault.maxPendingPerWorker),
            () -> assertFalse(oldDefault.adaptiveBinding),
            () -> assertEquals("roundRobin", fixedOne.policy.name()),
            () -> assertEquals(1, fixedOne.maxPendingPerWorker),
            () -> assertFalse(fixedOne.adaptiveBinding),
            () -> assertEquals(Contenders.MAX_PENDING_PER_WORKER, fixedNoPn.maxPendingPerWorker),
            () -> assertFalse(fixedNoPn.adaptiveBinding),
            () -> assertEquals(4, ceiling.maxPendingPerWorker),
            () -> assertTrue(ceiling.adaptiveBinding));
    }

    @Test
    void shouldKeepTheMeaningOfExistingSpecsWhenNoNewTokenIsGiven()
    {
        final FulcrumSettings leastLoaded = Contenders.fulcrumSettings("fulcrum");
        final FulcrumSettings sharedSpin = Contenders.fulcrumSettings("fulcrum-shared-spin-powerOfTwoChoices");
        assertAll(
            () -> assertEquals(Policy.leastLoaded().name(), leastLoaded.policy.name()),
            () -> assertEquals(ThreadingMode.DEDICATED, leastLoaded.threadingMode),
            () -> assertEquals(IdleKind.BACKOFF, leastLoaded.idle),
            () -> assertEquals(Contenders.MAX_PENDING_PER_WORKER, leastLoaded.maxPendingPerWorker),
            () -> assertTrue(leastLoaded.adaptiveBinding),
            () -> assertEquals("powerOfTwoChoices", sharedSpin.policy.name()),
            () -> assertEquals(ThreadingMode.SHARED, sharedSpin.threadingMode),
            () -> assertEquals(IdleKind.SPIN, sharedSpin.idle));
    }

    @Test
    void shouldParkSoonWithTheParkIdleToken()
    {
        final FulcrumSettings park = Contenders.fulcrumSettings("fulcrum-peakEwma-park");
        final org.agrona.concurrent.IdleStrategy idle = park.idle.newAgronaIdleStrategy();
        assertAll(
            () -> assertEquals(IdleKind.PARK, park.idle),
            () -> assertEquals("peakEwma", park.policy.name()),
            () -> assertTrue(idle instanceof org.agrona.concurrent.BackoffIdleStrategy, String.valueOf(idle)),
            () -> assertTrue(idle.toString().contains("maxYields=10"), idle.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "fulcrum-default-shared", "fulcrum-dedicated-default", "fulcrum-default-spin", "fulcrum-default-backoff",
        "fulcrum-default-p16", "fulcrum-peakEwma-default-fixed"})
    void shouldRejectDefaultWithTheSpecAndTheTokenNamedWhenItIsCombinedWithASetting(final String spec)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> Contenders.validate(spec));
        assertAll(
            () -> assertTrue(ex.getMessage().contains("spec=" + spec), ex.getMessage()),
            () -> assertTrue(ex.getMessage().matches(".*(mode=|idle=|maxPendingPerWorker=|binding=).*"),
                ex.getMessage()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "fulcrum-default-default", "fulcrum-fixed-p4-fixed", "tpeCallback-default", "forkJoin-fixed",
        "disruptor-default", "disruptor-p16", "fulcrum-defaults", "fulcrum-p0-fixed"})
    void shouldRejectDefaultOrFixedWhenRepeatedMisspeltOrForAnotherKind(final String spec)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> Contenders.validate(spec));
        assertTrue(ex.getMessage().contains("spec=" + spec), ex.getMessage());
    }

    @Test
    void shouldLetTheEngineChooseTheThreadingModeWhenSpecSaysDefault()
    {
        // the engine's rule: SHARED for one worker on fewer than 3 processors (stall detection on), else DEDICATED
        final boolean shared = Runtime.getRuntime().availableProcessors() < 3 &&
            null == System.getProperty(FulcrumContender.STALL_THRESHOLD_MS_PROPERTY);
        assertEquals(shared ? List.of("fulcrum-balancer+worker-0") : List.of("fulcrum-balancer", "fulcrum-worker-0"),
            engineThreads("fulcrum-default"));
        assertEquals(List.of("fulcrum-balancer", "fulcrum-worker-0"), engineThreads("fulcrum-leastLoaded"));
    }

    /**
     * @return the names of the balancer and worker threads a one-worker Fulcrum contender of {@code spec} starts.
     */
    private static List<String> engineThreads(final String spec)
    {
        final List<Thread> threads = new CopyOnWriteArrayList<>(); // any engine thread may make one
        final ThreadFactory recording = runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        };
        final List<String> names = new ArrayList<>();
        try (FulcrumContender contender =
            new FulcrumContender(spec, 1, Contenders.fulcrumSettings(spec), Contenders.RING_SIZE, recording))
        {
            for (final Thread thread : threads)
            {
                if (thread.getName().startsWith("fulcrum-balancer") || thread.getName().startsWith("fulcrum-worker"))
                {
                    names.add(thread.getName());
                }
            }
        }
        names.sort(null);
        return names;
    }
}
