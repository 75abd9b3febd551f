package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, items 5 and 6: a producer waiting for room in a full ring honours interrupts (the waiting
 * {@code submit} throws {@link SubmitInterruptedException} with the flag set again; the timed {@code trySubmit}
 * throws {@link InterruptedException}, or returns false when its time is up) and waits parked, not spinning with the
 * flag set; a waiting submit from a task, which would wait for its own worker, is refused. The ring is filled in
 * INVOKER mode with nobody driving the balancer, so it stays full for as long as the test wants.
 */
class SubmitInterruptTest
{
    private static final int RING = 4;

    private Balancer<Integer, Integer> balancer;
    private final Recorder<Integer, Integer> reply = new Recorder<>();

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close();
        }
    }

    /** INVOKER mode with manual workers: nothing moves unless the test steps it. */
    private void fullRing()
    {
        balancer = Balancer.builder((Integer q) -> q)
            .workers(1)
            .ringSize(RING)
            .maxPendingPerWorker(RING)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
        for (int i = 0; i < RING; i++)
        {
            assertTrue(balancer.trySubmit(i, reply));
        }
        assertFalse(balancer.trySubmit(99, reply), "the ring is full");
    }

    private void drainAndCheckOnlyTheAcceptedWereReplied()
    {
        Await.until(() ->
        {
            balancer.invoker().invoke();
            balancer.workerInvoker(0).invoke();
            return reply.count() >= RING;
        }, () -> "replies " + reply.results);
        balancer.invoker().invoke();
        assertEquals(java.util.List.of(0, 1, 2, 3), reply.results, "only the accepted requests were replied to");
        assertTrue(balancer.trySubmit(5, reply), "room again once drained");
    }

    @Test
    @Timeout(30)
    void shouldThrowSubmitInterruptedAndRestoreTheFlagWhenInterruptedWhileWaiting() throws Exception
    {
        fullRing();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                balancer.submit(100, reply);
            }
            catch (final Throwable t)
            {
                thrown.set(t);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        }, "waiting-submitter");
        waiter.start();
        awaitParked(waiter);
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(waiter.isAlive(), "the interrupted waiter stopped waiting");
        assertTrue(thrown.get() instanceof SubmitInterruptedException, () -> "thrown " + thrown.get());
        assertTrue(thrown.get().getMessage().contains("not accepted"), thrown.get()::getMessage);
        assertEquals(Boolean.TRUE, flagAfter.get(), "the flag is set again for code further up");
        drainAndCheckOnlyTheAcceptedWereReplied();
    }

    @Test
    @Timeout(30)
    void shouldThrowSubmitInterruptedAtOnceWhenAlreadyInterruptedAndTheRingIsFull()
    {
        fullRing();
        Thread.currentThread().interrupt();
        try
        {
            assertThrows(SubmitInterruptedException.class, () -> balancer.submit(100, reply));
            assertThrows(SubmitInterruptedException.class, () -> balancer.submit(7L, 101, reply));
            assertTrue(Thread.currentThread().isInterrupted(), "flag still set");
        }
        finally
        {
            Thread.interrupted();
        }
        drainAndCheckOnlyTheAcceptedWereReplied();
    }

    @Test
    @Timeout(30)
    void shouldReturnFalseWhenTheTimedTrySubmitRunsOutOfTime() throws Exception
    {
        fullRing();
        assertFalse(balancer.trySubmit(100, reply, 20, TimeUnit.MILLISECONDS), "the ring stayed full");
        assertFalse(balancer.trySubmit(101, reply, 0, TimeUnit.MILLISECONDS), "0 does not wait");
        assertFalse(balancer.trySubmit(102, reply, -5, TimeUnit.SECONDS), "negative does not wait");
        drainAndCheckOnlyTheAcceptedWereReplied();
    }

    @Test
    @Timeout(30)
    void shouldThrowInterruptedExceptionWhenTheTimedTrySubmitIsInterrupted() throws Exception
    {
        fullRing();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                balancer.trySubmit(100, reply, 60, TimeUnit.SECONDS);
                thrown.set(new AssertionError("returned instead of throwing"));
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        }, "timed-submitter");
        waiter.start();
        awaitParked(waiter);
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(waiter.isAlive(), "the interrupted waiter stopped waiting");
        assertTrue(thrown.get() instanceof InterruptedException, () -> "thrown " + thrown.get());

        Thread.currentThread().interrupt();
        try
        {
            assertThrows(InterruptedException.class, () -> balancer.trySubmit(101, reply, 60, TimeUnit.SECONDS));
        }
        finally
        {
            Thread.interrupted();
        }
        drainAndCheckOnlyTheAcceptedWereReplied();
    }

    @Test
    @Timeout(30)
    void shouldRefuseAWaitingSubmitFromATaskWhenTheRingIsFull() throws Exception
    {
        final CountDownLatch inTask = new CountDownLatch(2);
        final CountDownLatch ringFull = new CountDownLatch(1);
        final AtomicReference<Balancer<Integer, Integer>> self = new AtomicReference<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(200);
        balancer = Balancer.builder((Integer q) ->
            {
                if (q >= 100)
                {
                    inTask.countDown();
                    if (!ringFull.await(20, TimeUnit.SECONDS))
                    {
                        throw new AssertionError("ring never filled");
                    }
                    if (100 == q)
                    {
                        self.get().submit(150, tally); // would wait for its own worker
                    }
                    else
                    {
                        self.get().trySubmit(151, tally, 10, TimeUnit.SECONDS);
                    }
                }
                return q;
            })
            .workers(2) // real worker threads: engine threads
            .ringSize(RING)
            .threadingMode(ThreadingMode.INVOKER)
            .build();
        self.set(balancer);
        assertTrue(balancer.trySubmit(100, tally));
        assertTrue(balancer.trySubmit(101, tally));
        Await.until(() ->
        {
            balancer.invoker().invoke(); // dispatch both to the workers, freeing their ring slots
            return 0 == inTask.getCount();
        }, () -> "both tasks started");
        for (int i = 0; i < RING; i++)
        {
            assertTrue(balancer.trySubmit(i, tally)); // nobody drives the balancer now: the ring stays full
        }
        assertFalse(balancer.trySubmit(99, tally));
        ringFull.countDown();

        Await.until(() -> tally.replies(100) == 1 && tally.replies(101) == 1, () -> "the two tasks replied");
        for (final int caller : new int[] {100, 101})
        {
            final Throwable error = tally.error(caller);
            assertTrue(error instanceof IllegalStateException, () -> caller + " answered with " + error);
            assertTrue(error.getMessage().contains("engine thread"), error::getMessage);
        }
        Await.until(() ->
        {
            balancer.invoker().invoke();
            return tally.total() == 2 + RING;
        }, () -> "replies " + tally.total());
        tally.assertExactlyOnce(200, id -> id < RING || 100 == id || 101 == id);
    }

    /**
     * Wait until {@code thread} is seen parked: a waiter that spun with its flag set would never be.
     */
    private static void awaitParked(final Thread thread)
    {
        Await.until(() ->
        {
            final Thread.State state = thread.getState();
            return Thread.State.WAITING == state || Thread.State.TIMED_WAITING == state;
        }, () -> thread.getName() + " in state " + thread.getState());
    }
}
