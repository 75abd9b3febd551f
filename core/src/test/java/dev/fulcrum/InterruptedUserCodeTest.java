package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 1: user code that leaves its thread's interrupt flag set (the
 * {@code catch (InterruptedException e) { Thread.currentThread().interrupt(); }} idiom), or a thread that interrupts
 * an idle engine thread, must not stop a worker or the balancer in any threading mode: every accepted request is
 * replied to once, later ones are still served, close() returns, each flag is counted and the first is reported.
 */
class InterruptedUserCodeTest
{
    private static final int FIRST = 300;
    private static final int LATER = 100;
    /** Every third request re-sets the flag. */
    private static final int EVERY = 3;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(60)
    void shouldKeepServingWhenTaskLeavesTheInterruptFlagSet(final ThreadingMode mode)
    {
        final Fixture fixture = new Fixture(mode, (Integer q) ->
        {
            if (q % EVERY == 0)
            {
                Thread.currentThread().interrupt(); // as if it had caught an InterruptedException
            }
            return q;
        }, false);
        fixture.runAndCheck();
    }

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(60)
    void shouldKeepServingWhenReplyLeavesTheInterruptFlagSet(final ThreadingMode mode)
    {
        final Fixture fixture = new Fixture(mode, (Integer q) -> q, true);
        fixture.runAndCheck();
    }

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(60)
    void shouldKeepServingWhenAnIdleEngineThreadIsInterruptedFromOutside(final ThreadingMode mode)
    {
        final Fixture fixture = new Fixture(mode, (Integer q) -> q, false);
        final Balancer<Integer, Integer> balancer = fixture.balancer;
        fixture.submit(0, FIRST);
        fixture.awaitReplies(FIRST);
        // idle: every reply is in and the balancer has taken every job back, so no thread is in user code
        fixture.awaitQuiescent();

        final List<Thread> workers = fixture.workerThreads();
        assertEquals(2, workers.size(), () -> "worker threads: " + fixture.threads);
        for (final Thread thread : fixture.threads)
        {
            thread.interrupt(); // workers, balancer (DEDICATED), watchdog
        }
        Await.until(() ->
        {
            fixture.drive();
            final BalancerStats stats = balancer.stats();
            return stats.interruptsCleared(0) >= 1 && stats.interruptsCleared(1) >= 1;
        }, () -> "interrupts of idle workers cleared: " + counts(balancer.stats()));
        final BalancerStats cleared = balancer.stats();
        assertEquals(1, cleared.interruptsCleared(0), "one interrupt of idle worker 0, counted once");
        assertEquals(1, cleared.interruptsCleared(1), "one interrupt of idle worker 1, counted once");

        fixture.submit(FIRST, FIRST + LATER);
        fixture.awaitReplies(FIRST + LATER);
        fixture.close();
        fixture.tally.assertExactlyOnce(FIRST + LATER, id -> true);
        fixture.assertOneInterruptReport();
    }

    private static String counts(final BalancerStats stats)
    {
        return "interruptsCleared=[" + stats.interruptsCleared(0) + ", " + stats.interruptsCleared(1) + "] " + stats;
    }

    /**
     * A two-worker balancer in one mode, its threads captured, its errors collected; replies may re-set the flag.
     */
    private static final class Fixture
    {
        final ThreadingMode mode;
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(FIRST + LATER);
        final Reply<Integer, Integer> reply;
        final Balancer<Integer, Integer> balancer;

        Fixture(final ThreadingMode mode, final Task<Integer, Integer> task, final boolean replyInterrupts)
        {
            this.mode = mode;
            reply = !replyInterrupts ? tally : new Reply<>()
            {
                public void onResult(final Integer request, final Integer result)
                {
                    tally.onResult(request, result);
                    if (request % EVERY == 0)
                    {
                        Thread.currentThread().interrupt();
                    }
                }

                public void onError(final Integer request, final Throwable error)
                {
                    tally.onError(request, error);
                }
            };
            balancer = Balancer.builder(task)
                .workers(2)
                .threadingMode(mode)
                .ringSize(64)
                .maxPendingPerWorker(4)
                .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
                .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
                .errorHandler(reported::add)
                .threadFactory(r ->
                {
                    final Thread t = new Thread(r);
                    t.setDaemon(true);
                    threads.add(t);
                    return t;
                })
                .build();
        }

        void drive()
        {
            if (ThreadingMode.INVOKER == mode)
            {
                balancer.invoker().invoke();
            }
        }

        void submit(final int from, final int to)
        {
            for (int i = from; i < to; i++)
            {
                while (!balancer.trySubmit(i, reply))
                {
                    drive();
                    Thread.yield();
                }
            }
        }

        void awaitReplies(final long n)
        {
            Await.until(() ->
            {
                drive();
                return tally.total() >= n;
            }, () -> "replies " + tally.total() + " of " + n + ", " + balancer.stats() + ", reported " + reported);
        }

        void awaitQuiescent()
        {
            Await.until(() ->
            {
                drive();
                return 0 == balancer.stats().totalPending();
            }, () -> "pending " + balancer.stats());
        }

        List<Thread> workerThreads()
        {
            Await.until(() -> threads.stream().filter(t -> t.getName().contains("worker")).count() == 2,
                () -> "named worker threads: " + threads);
            return threads.stream().filter(t -> t.getName().contains("worker")).collect(
                java.util.stream.Collectors.toList());
        }

        void close()
        {
            balancer.close(); // in INVOKER the closing (test) thread drives the balancer itself
            for (final Thread thread : threads)
            {
                Await.until(() -> !thread.isAlive(), () -> thread.getName() + " still alive after close()");
            }
        }

        void runAndCheck()
        {
            submit(0, FIRST);
            awaitReplies(FIRST);
            submit(FIRST, FIRST + LATER);
            awaitReplies(FIRST + LATER);
            awaitQuiescent();
            final BalancerStats stats = balancer.stats();
            close();

            tally.assertExactlyOnce(FIRST + LATER, id -> true);
            final long interrupters = (FIRST + LATER + EVERY - 1) / EVERY;
            long cleared = 0;
            for (int w = 0; w < stats.workers(); w++)
            {
                cleared += stats.interruptsCleared(w);
            }
            assertEquals(interrupters, cleared, () -> "one cleared flag per interrupting request: " + stats);
            assertEquals(FIRST + LATER, stats.totalCompleted(), stats::toString);
            assertOneInterruptReport();
        }

        void assertOneInterruptReport()
        {
            assertEquals(1, reported.size(), () -> "exactly one report: " + reported);
            final Throwable only = reported.peek();
            assertTrue(only instanceof InterruptLeftSetException, () -> "reported " + only);
        }
    }
}
