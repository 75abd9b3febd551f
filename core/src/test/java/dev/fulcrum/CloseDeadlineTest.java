package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 4: a task that never returns cannot make close wait for ever. {@code close(Duration)} answers
 * every accepted request without a reply exactly once (not started: {@link ClosedBeforeRunException}; running:
 * {@link AbandonedByCloseException}), drops the stuck task's late result, returns true when everything drains in
 * time, keeps the closing thread's interrupt flag, and the engine's threads are daemons so a thread left in user
 * code cannot keep the JVM alive.
 */
class CloseDeadlineTest
{
    /** A deadline close logs a warning on purpose: kept off the build's console. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final LogCapture deadlineLog = new LogCapture();

    private static final int STUCK = 0;
    private static final int MAX_PENDING = 4;
    private static final int IN_RING = 8;
    private static final int ACCEPTED = MAX_PENDING + IN_RING;

    @Test
    @Timeout(60)
    void shouldAnswerEveryAcceptedRequestOnceWhenTheDeadlinePassesWithATaskStuck() throws Exception
    {
        final Stuck stuck = new Stuck();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(ACCEPTED);
        final Balancer<Integer, Integer> balancer = Balancer.builder(stuck.task())
            .workers(1)
            .maxPendingPerWorker(MAX_PENDING)
            .ringSize(16)
            .stallThreshold(Duration.ZERO) // one worker, nowhere to move to: keep the queue where it is
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .errorHandler(reported::add)
            .threadFactory(EngineTestSupport.recordingDaemons(threads))
            .build();

        balancer.submit(STUCK, tally);
        assertTrue(stuck.started.await(30, TimeUnit.SECONDS));
        for (int i = 1; i < MAX_PENDING; i++)
        {
            balancer.submit(i, tally); // queued on the worker, behind the stuck task
        }
        Await.until(() -> balancer.stats().pending(0) == MAX_PENDING, () -> "queued behind: " + balancer.stats());
        for (int i = MAX_PENDING; i < ACCEPTED; i++)
        {
            assertTrue(balancer.trySubmit(i, tally), "the ring holds the rest"); // the worker is full: they stay
        }

        assertFalse(balancer.close(Duration.ofMillis(200)), "the stuck task did not drain in time");

        tally.assertExactlyOnce(ACCEPTED, id -> true);
        assertTrue(tally.error(STUCK) instanceof AbandonedByCloseException, () -> "running: " + tally.error(STUCK));
        for (int i = 1; i < ACCEPTED; i++)
        {
            final Throwable error = tally.error(i);
            assertTrue(error instanceof ClosedBeforeRunException, "request " + i + " had not started: " + error);
        }
        assertEquals(List.of(STUCK), stuck.ran, "only the stuck one ever ran");

        // the stuck task comes back late: its result is dropped, and the engine's interrupt is not a user error
        stuck.release.countDown();
        assertTrue(stuck.returned.await(30, TimeUnit.SECONDS));
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), thread.getName() + " ended once its user code returned");
        }
        assertEquals(1, tally.replies(STUCK), "the late result never reached the reply");
        tally.assertExactlyOnce(ACCEPTED, id -> true);
        assertTrue(stuck.interrupted.get(), "close(Duration) interrupted the thread left in user code");
        assertTrue(reported.stream().noneMatch(t -> t instanceof InterruptLeftSetException),
            () -> "the engine's own interrupt is not reported as user error: " + reported);
        assertEquals(List.of(STUCK), stuck.ran);
    }

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(60)
    void shouldReturnTrueWhenEverythingDrainsInTime(final ThreadingMode mode)
    {
        final int n = 200;
        final ReplyTally<Integer> tally = new ReplyTally<>(n);
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> q)
            .workers(2)
            .threadingMode(mode)
            .ringSize(256)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .build();
        for (int i = 0; i < n; i++)
        {
            assertTrue(balancer.trySubmit(i, tally));
        }
        assertTrue(balancer.close(Duration.ofSeconds(30)), "everything drained in time");
        tally.assertExactlyOnce(n, id -> true);
        assertEquals(0, tally.errors(Throwable.class), "every request ran");
        assertEquals(0, balancer.stats().totalPending());
    }

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    @Timeout(60)
    void shouldRunOnDaemonThreadsByDefault(final ThreadingMode mode) throws Exception
    {
        try (Balancer<Integer, Boolean> balancer = Balancer.builder((Integer q) -> Thread.currentThread().isDaemon())
            .workers(2)
            .threadingMode(mode)
            .build())
        {
            for (int i = 0; i < 8; i++)
            {
                assertTrue(balancer.submit(i).get(30, TimeUnit.SECONDS), "worker threads are daemons");
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldKeepTheClosingThreadsInterruptFlagWhenDrained()
    {
        final ReplyTally<Integer> tally = new ReplyTally<>(50);
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> q).workers(2).build();
        for (int i = 0; i < 50; i++)
        {
            balancer.submit(i, tally);
        }
        Thread.currentThread().interrupt();
        final boolean drained;
        try
        {
            drained = balancer.close(Duration.ofSeconds(30));
        }
        finally
        {
            assertTrue(Thread.interrupted(), "the closing thread's flag is kept (and cleared here)");
        }
        assertTrue(drained, "an interrupt does not cut the wait short");
        tally.assertExactlyOnce(50, id -> true);
    }

    @Test
    @Timeout(60)
    void shouldKeepTheClosingThreadsInterruptFlagWhenTheDeadlinePasses() throws Exception
    {
        final Stuck stuck = new Stuck();
        final ReplyTally<Integer> tally = new ReplyTally<>(3);
        final Balancer<Integer, Integer> balancer = Balancer.builder(stuck.task())
            .workers(1)
            .stallThreshold(Duration.ZERO)
            .build();
        balancer.submit(STUCK, tally);
        assertTrue(stuck.started.await(30, TimeUnit.SECONDS));
        balancer.submit(1, tally);
        balancer.submit(2, tally);

        Thread.currentThread().interrupt();
        final boolean drained;
        try
        {
            drained = balancer.close(Duration.ofMillis(100));
        }
        finally
        {
            assertTrue(Thread.interrupted(), "the closing thread's flag is kept (and cleared here)");
            stuck.release.countDown();
        }
        assertFalse(drained);
        tally.assertExactlyOnce(3, id -> true);
        assertTrue(tally.error(STUCK) instanceof AbandonedByCloseException, () -> "" + tally.error(STUCK));
        assertTrue(stuck.returned.await(30, TimeUnit.SECONDS));
    }

    /**
     * A task whose request {@link #STUCK} does not return until released, whatever interrupts it gets; an interrupt
     * it got is handed back the usual way (flag re-set) when it returns.
     */
    private static final class Stuck
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final List<Integer> ran = new CopyOnWriteArrayList<>();

        Task<Integer, Integer> task()
        {
            return q ->
            {
                ran.add(q);
                if (STUCK != q)
                {
                    return q;
                }
                started.countDown();
                try
                {
                    while (true)
                    {
                        try
                        {
                            if (release.await(60, TimeUnit.SECONDS))
                            {
                                break;
                            }
                        }
                        catch (final InterruptedException ex)
                        {
                            interrupted.set(true);
                        }
                    }
                    if (interrupted.get())
                    {
                        Thread.currentThread().interrupt();
                    }
                    return q;
                }
                finally
                {
                    returned.countDown();
                }
            };
        }
    }
}
