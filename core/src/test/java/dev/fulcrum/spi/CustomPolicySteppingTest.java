package dev.fulcrum.spi;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Policy;
import dev.fulcrum.PolicyFaultException;
import dev.fulcrum.Reply;
import dev.fulcrum.ThreadingMode;
import dev.fulcrum.WorkerChooser;
import dev.fulcrum.WorkerView;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A policy written outside the package, on the public API only, in a balancer whose cycle the test steps through
 * its invoker (INVOKER mode) while the workers run on threads of their own: it is asked for each choice on the
 * stepping thread, told of each dispatch, completion and round trip, and a broken choice is refused with a clear
 * error while every request is still answered once.
 */
class CustomPolicySteppingTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(Long.getLong("fulcrum.test.timeoutSeconds", 60));

    private final Queue<Integer> results = new ConcurrentLinkedQueue<>();
    private final Queue<Throwable> replyErrors = new ConcurrentLinkedQueue<>();
    private final Queue<Throwable> faults = new ConcurrentLinkedQueue<>();
    private final Reply<Integer, Integer> reply = Reply.of((q, r) -> results.add(q), (q, e) -> replyErrors.add(e));
    private Balancer<Integer, Integer> balancer;

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close();
        }
    }

    @Test
    void shouldAskTheUsersPolicyOnTheSteppingThreadAndTellItOfEveryDispatchCompletionAndRoundTrip()
    {
        final List<Recording> made = new ArrayList<>();
        build("highestIndex", v -> add(made, new Recording(v)), 2, 4, 4);
        final Recording policy = made.get(0);
        assertEquals(List.of("offline 2 true", "offline 3 true"), policy.events,
            "slots for workers added later are offline before the first choice");
        policy.events.clear();

        final long before = System.nanoTime();
        for (int i = 0; i < 4; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        stepUntil(() -> 4 == policy.roundTrips, "4 round trips");
        assertEquals(4, policy.chooseCalls);
        assertSame(Thread.currentThread(), policy.chooseThread, "INVOKER mode: the cycle runs on the stepping thread");
        assertEquals(List.of("dispatch 1", "dispatch 1", "dispatch 1", "dispatch 1"),
            policy.events.subList(0, 4), "its own rule: the highest index with room, worker 1 takes all four");
        assertEquals(4, policy.events.stream().filter("complete 1"::equals).count());
        final long elapsedNs = System.nanoTime() - before;
        assertTrue(policy.minRoundTripNs >= 0 && policy.maxRoundTripNs <= elapsedNs && policy.firstCompletedNs >= before,
            "round trips from the balancer's stamps, within the test's " + elapsedNs + " ns: " + policy.minRoundTripNs +
            " to " + policy.maxRoundTripNs + " ns, the first at " + policy.firstCompletedNs);
        final BalancerStats stats = balancer.stats();
        assertEquals(0, stats.completed(0));
        assertEquals(4, stats.completed(1));
        assertEquals(4, results.size());

        // a worker added to slot 2 comes online at the next cycle, and the rule takes it at once
        policy.events.clear();
        assertEquals(2, balancer.addWorker());
        stepUntil(() -> policy.events.contains("offline 2 false"), "worker 2 online");
        assertTrue(balancer.trySubmit(4, reply));
        stepUntil(() -> 5 == results.size(), "5 replies");
        assertEquals(1, balancer.stats().completed(2));
        assertTrue(faults.isEmpty(), () -> "faults: " + faults);
        assertTrue(replyErrors.isEmpty(), () -> "errors: " + replyErrors);
    }

    @Test
    void shouldRefuseABrokenChoiceWithAClearErrorAndStillAnswerEveryRequestOnce()
    {
        build("alwaysZero", v -> new AlwaysZero(), 2, 2, 1);
        assertTrue(balancer.trySubmit(1, reply));
        assertTrue(balancer.trySubmit(2, reply));
        balancer.invoker().invoke(); // one cycle takes both: worker 0 is full when the second one asks for it

        stepUntil(() -> 2 == results.size(), "both replies");
        assertEquals(List.of(1, 2), sorted(results));
        final BalancerStats stats = balancer.stats();
        assertEquals(1, stats.completed(0));
        assertEquals(1, stats.completed(1), "the refused choice went to the only worker with room");
        assertEquals(1, faults.size());
        final Throwable fault = faults.peek();
        assertTrue(fault instanceof PolicyFaultException, fault.toString());
        assertEquals("policy alwaysZero broke its contract: chose worker 0, which is full (pending=1, cap=1); " +
            "the balancer used worker 1 instead (fault 1 of this balancer; the 1st, 2nd, 4th, 8th, ... are reported)",
            fault.getMessage());
        assertTrue(replyErrors.isEmpty(), () -> "errors: " + replyErrors);
    }

    @Test
    void shouldAnswerEveryRequestOnceAndReportAFewOfTheFaultsWhenChooseAlwaysThrows()
    {
        build("throwing", v -> new Throwing(), 2, 2, 4);
        for (int i = 0; i < 5; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        stepUntil(() -> 5 == results.size(), "5 replies");
        assertEquals(List.of(0, 1, 2, 3, 4), sorted(results));
        assertEquals(3, faults.size(), "faults 1, 2 and 4 of 5 reported: " + faults);
        for (final Throwable fault : faults)
        {
            assertTrue(fault.getMessage().startsWith("policy throwing broke its contract: choose() threw " +
                "java.lang.UnsupportedOperationException: not today"), fault.getMessage());
            assertTrue(fault.getCause() instanceof UnsupportedOperationException);
        }
        assertTrue(replyErrors.isEmpty(), () -> "errors: " + replyErrors);
    }

    @Test
    void shouldRunTheReadmePolicyInABalancer()
    {
        build("lastRoundTrip", LastRoundTrip::new, 2, 2, 4);
        for (int i = 0; i < 12; i++)
        {
            final int request = i;
            stepUntil(() -> balancer.trySubmit(request, reply), "room in the ring for request " + i);
        }
        stepUntil(() -> 12 == results.size(), "12 replies");
        assertEquals(12, balancer.stats().completed(0) + balancer.stats().completed(1));
        assertTrue(faults.isEmpty(), () -> "faults: " + faults);
    }

    private void build(
        final String name,
        final Function<WorkerView, ? extends WorkerChooser> factory,
        final int workers,
        final int maxWorkers,
        final int maxPending)
    {
        balancer = Balancer.builder((Integer q) -> q * 10)
            .workers(workers)
            .maxWorkers(maxWorkers)
            .maxPendingPerWorker(maxPending)
            .ringSize(16)
            .policy(Policy.custom(name, factory))
            .threadingMode(ThreadingMode.INVOKER)
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .stallThreshold(Duration.ZERO)
            .errorHandler(faults::add)
            .build();
    }

    /**
     * Step the balancer until {@code condition} holds, with a deadline; the workers run meanwhile on their threads.
     */
    private void stepUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean())
        {
            if (0 == balancer.invoker().invoke())
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("not reached in time: " + what);
                }
                Thread.yield(); // 2 cores: let the workers run
            }
        }
    }

    private static <T> T add(final List<? super T> to, final T chooser)
    {
        to.add(chooser);
        return chooser;
    }

    private static List<Integer> sorted(final Queue<Integer> values)
    {
        final List<Integer> list = new ArrayList<>(values);
        list.sort(null);
        return list;
    }

    /**
     * The highest index with room; writes down what it is told. Touched only on the balancer's cycle, which in
     * INVOKER mode is the test's thread, so plain fields do.
     */
    private static final class Recording extends WorkerChooser
    {
        final WorkerView workers;
        final List<String> events = new ArrayList<>();
        int chooseCalls;
        int roundTrips;
        long minRoundTripNs = Long.MAX_VALUE;
        long maxRoundTripNs = Long.MIN_VALUE;
        long firstCompletedNs;
        Thread chooseThread;

        Recording(final WorkerView workers)
        {
            super(true);
            this.workers = workers;
        }

        @Override
        protected int choose()
        {
            chooseCalls++;
            chooseThread = Thread.currentThread();
            for (int w = workers.workers() - 1; w >= 0; w--)
            {
                if (workers.hasRoom(w))
                {
                    return w;
                }
            }
            return -1;
        }

        @Override
        protected void onDispatch(final int worker)
        {
            events.add("dispatch " + worker);
        }

        @Override
        protected void onComplete(final int worker)
        {
            events.add("complete " + worker);
        }

        @Override
        protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
        {
            if (0 == roundTrips++)
            {
                firstCompletedNs = completedNs;
            }
            minRoundTripNs = Math.min(minRoundTripNs, roundTripNs);
            maxRoundTripNs = Math.max(maxRoundTripNs, roundTripNs);
        }

        @Override
        protected void onOfflineChanged(final int worker, final boolean offline)
        {
            events.add("offline " + worker + " " + offline);
        }
    }

    private static final class AlwaysZero extends WorkerChooser
    {
        @Override
        protected int choose()
        {
            return 0;
        }
    }

    private static final class Throwing extends WorkerChooser
    {
        @Override
        protected int choose()
        {
            throw new UnsupportedOperationException("not today");
        }
    }
}
