package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Adaptive binding, stepped by hand: every thread is the test's (INVOKER, manual workers), and a task acts its
 * length by moving the hand-held clock the workers time their batches with, so each cap the balancer sets is known.
 */
class AdaptiveBindingTest
{
    private static final long TARGET_NS = 50_000;
    private static final int CEILING = 64;

    @Test
    void shouldDivideTheTargetByTheTimePerTaskWithinOneAndTheCeiling()
    {
        assertEquals(64, AdaptiveBinding.capFor(TARGET_NS, 100, CEILING), "tiny tasks: the ceiling");
        assertEquals(50, AdaptiveBinding.capFor(TARGET_NS, 1_000, CEILING));
        assertEquals(1, AdaptiveBinding.capFor(TARGET_NS, 50_000, CEILING), "as long as the target: 1");
        assertEquals(1, AdaptiveBinding.capFor(TARGET_NS, 10_000_000, CEILING), "longer: still 1");
        assertEquals(64, AdaptiveBinding.capFor(TARGET_NS, 0, CEILING), "no time measured: the ceiling");
    }

    @Test
    void shouldShrugOffOneSlowSampleAndFollowTasksThatGrow()
    {
        assertEquals(100, AdaptiveBinding.next(0, 100), "the first sample is the estimate");
        assertEquals(200, AdaptiveBinding.next(100, 4_000_000), "a descheduled task at most doubles it");
        assertEquals(150, AdaptiveBinding.next(200, 100), "halfway back down");
        assertEquals(125, AdaptiveBinding.next(100, 200), "a quarter of the way up");
        long estimate = 100;
        for (int i = 0; i < 10; i++)
        {
            estimate = AdaptiveBinding.next(estimate, 100_000);
        }
        assertTrue(estimate > 50_000, "tasks a thousand times longer: past the target in ten samples: " + estimate);
    }

    @Test
    @Timeout(60)
    void shouldDeepenForTinyTasksAndBindLateForLongOnesAndComeBack()
    {
        final ManualClock clock = new ManualClock();
        final Recorder<Long, Long> replies = new Recorder<>();
        try (Balancer<Long, Long> balancer = stepped(taking(clock), clock)
            .workers(2)
            .maxPendingPerWorker(CEILING)
            .bindingTarget(Duration.ofNanos(TARGET_NS))
            .ringSize(1024)
            .build())
        {
            final Dispatcher dispatcher = balancer.balancerAgent().dispatcher;
            assertEquals(CEILING, dispatcher.cap(), "starts at the ceiling");

            // tiny tasks, 100 ns: target / 100 ns is above the ceiling
            int submitted = run(balancer, replies, 200, 100, 0);
            assertEquals(CEILING, dispatcher.cap());

            // tasks of 100 us, twice the target: each timed task at most doubles its worker's estimate, so within
            // about ten timed tasks per worker (640 tasks) a look binds one request at a time
            for (int round = 0; round < 20 && dispatcher.cap() > 1; round++)
            {
                submitted = run(balancer, replies, 128, 100_000, submitted);
            }
            assertEquals(1, dispatcher.cap(), "long tasks: late binding");
            assertEquals(1, balancer.stats().bindingCap(), "what stats show");
            final long slowest = Math.max(balancer.stats().timePerTaskNanos(0), balancer.stats().timePerTaskNanos(1));
            assertTrue(slowest > TARGET_NS / 2 && slowest <= 100_000,
                () -> "the slowest worker's time per task: " + slowest);

            // with the cap at 1 a worker is given a request only when it has none
            for (int i = 0; i < 10; i++)
            {
                assertTrue(balancer.trySubmit(100_000L, replies));
            }
            balancer.invoker().invoke();
            assertEquals(1, balancer.stats().pending(0));
            assertEquals(1, balancer.stats().pending(1));
            submitted += 10;
            submitted = drain(balancer, replies, submitted);

            // tiny again: each timed task halves the gap to it; the cap climbs back
            for (int round = 0; round < 40 && dispatcher.cap() < CEILING; round++)
            {
                submitted = run(balancer, replies, 256, 100, submitted);
            }
            assertEquals(CEILING, dispatcher.cap(), "tiny tasks again: deep again");
            assertEquals(submitted, replies.results.size(), "every request answered once");
        }
    }

    /**
     * A worker whose queue never empties runs one batch for as long as the balancer keeps it full (up to the queue's
     * capacity of long tasks): the cap must drop while that batch runs, not after it. Each task here runs a balancer
     * cycle itself (the test's thread is every engine thread), which takes the last completion and tops the queue up.
     */
    @Test
    @Timeout(60)
    void shouldBindLateWhileOneLongBatchRuns()
    {
        final ManualClock clock = new ManualClock();
        final Recorder<Long, Long> replies = new Recorder<>();
        final AtomicReference<Balancer<Long, Long>> self = new AtomicReference<>();
        final int[] capSeen = new int[1];
        try (Balancer<Long, Long> balancer = stepped((Long ns) ->
            {
                clock.advanceNs(ns);
                self.get().invoker().invoke(); // the balancer, between two tasks of the same batch
                capSeen[0] = self.get().balancerAgent().dispatcher.cap();
                return ns;
            }, clock)
            .workers(1)
            .maxPendingPerWorker(CEILING)
            .workerQueueCapacity(1024) // a batch runs to the queue's capacity, or until the queue is empty
            .bindingTarget(Duration.ofNanos(TARGET_NS))
            .ringSize(1024)
            .build())
        {
            self.set(balancer);
            for (int i = 0; i < 400; i++)
            {
                assertTrue(balancer.trySubmit(100_000L, replies));
            }
            balancer.invoker().invoke();
            assertEquals(CEILING, balancer.stats().pending(0), "a deep queue to start with");

            final int ran = balancer.workerInvoker(0).invoke(); // one batch
            assertTrue(ran > CEILING, () -> "the batch outlasted the queue it started with: " + ran);
            assertEquals(1, capSeen[0], "late binding within the batch");
            assertEquals(1, balancer.balancerAgent().dispatcher.cap());
            drain(balancer, replies, 400);
            assertEquals(400, replies.results.size(), "every request answered once");
        }
    }

    @Test
    @Timeout(60)
    void shouldKeepTheCapAtMaxPendingPerWorkerWhenBindingIsFixed()
    {
        final ManualClock clock = new ManualClock();
        final Recorder<Long, Long> replies = new Recorder<>();
        try (Balancer<Long, Long> balancer = stepped(taking(clock), clock)
            .workers(2)
            .maxPendingPerWorker(8)
            .adaptiveBinding(false)
            .build())
        {
            run(balancer, replies, 300, 1_000_000, 0);
            assertEquals(8, balancer.balancerAgent().dispatcher.cap());
            assertEquals(8, balancer.stats().bindingCap());
            assertEquals(0, balancer.stats().timePerTaskNanos(0), "nothing timed");
        }
    }

    /**
     * @return a builder whose every thread is the test's (INVOKER, manual workers, the watchdog on {@code clock}).
     */
    private static BalancerBuilder<Long, Long> stepped(final Task<Long, Long> task, final ManualClock clock)
    {
        return Balancer.builder(task).threadingMode(ThreadingMode.INVOKER).manualWorkers().manualWatchdog(clock);
    }

    /**
     * @return a task that "takes" its request's nanoseconds on the clock its worker times batches with.
     */
    private static Task<Long, Long> taking(final ManualClock clock)
    {
        return ns ->
        {
            clock.advanceNs(ns);
            return ns;
        };
    }

    /**
     * Submit {@code count} tasks of {@code taskNs} a few at a time and step everything until all are answered.
     *
     * @return requests submitted so far.
     */
    private static int run(
        final Balancer<Long, Long> balancer,
        final Recorder<Long, Long> replies,
        final int count,
        final long taskNs,
        final int submittedBefore)
    {
        int submitted = submittedBefore;
        for (int i = 0; i < count; i++)
        {
            assertTrue(balancer.trySubmit(taskNs, replies));
            submitted++;
            if (0 == (i & 7))
            {
                step(balancer);
            }
        }
        return drain(balancer, replies, submitted);
    }

    private static int drain(final Balancer<Long, Long> balancer, final Recorder<Long, Long> replies, final int submitted)
    {
        for (int steps = 0; replies.results.size() < submitted; steps++)
        {
            assertTrue(steps < 10_000, () -> "answered " + replies.results.size() + " of " + submitted);
            step(balancer);
        }
        return submitted;
    }

    private static void step(final Balancer<Long, Long> balancer)
    {
        balancer.invoker().invoke();
        for (int w = 0; w < balancer.workers(); w++)
        {
            balancer.workerInvoker(w).invoke();
        }
        balancer.invoker().invoke();
    }
}
