package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FulcrumExecutorService} against the {@link java.util.concurrent.ExecutorService} Javadoc, clause by
 * clause, and the ordered executor per key.
 */
@Timeout(60)
class ExecutorServiceContractTest
{
    private final CountDownLatch release = new CountDownLatch(1);
    private FulcrumExecutorService executor;

    @AfterEach
    void close()
    {
        release.countDown();
        if (null != executor)
        {
            executor.close();
        }
    }

    private FulcrumExecutorService create(final int workers)
    {
        executor = FulcrumExecutorService.create(b -> b.workers(workers));
        return executor;
    }

    private Runnable blocker(final CountDownLatch started)
    {
        return () ->
        {
            started.countDown();
            try
            {
                release.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void shouldRunEachExecutedTaskOnceAndReturnSubmittedResults() throws Exception
    {
        create(2);
        final AtomicInteger runs = new AtomicInteger();
        for (int i = 0; i < 1000; i++)
        {
            executor.execute(runs::incrementAndGet);
        }
        assertEquals(42, executor.submit(() -> 42).get());
        assertEquals("done", executor.submit(runs::incrementAndGet, "done").get());
        assertEquals(null, executor.submit((Runnable)runs::incrementAndGet).get());
        Await.until(() -> runs.get() == 1002, () -> "runs=" + runs.get());
        final ExecutionException failed = assertThrows(ExecutionException.class,
            () -> executor.submit((Callable<Object>)() -> { throw new IllegalStateException("boom"); }).get());
        assertEquals("boom", failed.getCause().getMessage());
    }

    @Test
    void shouldWorkAsTheExecutorOfACompletableFuture() throws Exception
    {
        create(2);
        assertEquals(7, CompletableFuture.supplyAsync(() -> 3, executor).thenApplyAsync(x -> x + 4, executor).get());
    }

    @Test
    void shouldRejectNewTasksAfterShutdownAndStillRunThoseAccepted() throws Exception
    {
        create(1);
        final CountDownLatch started = new CountDownLatch(1);
        executor.execute(blocker(started));
        final Future<Integer> queued = executor.submit(() -> 5);
        assertTrue(started.await(30, TimeUnit.SECONDS));
        executor.shutdown();
        assertTrue(executor.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> executor.submit(() -> 1));
        assertFalse(executor.awaitTermination(20, TimeUnit.MILLISECONDS), "awaitTermination times out");
        assertFalse(executor.isTerminated());
        release.countDown();
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(executor.isTerminated());
        assertEquals(5, queued.get(), "a task accepted before shutdown still runs");
    }

    @Test
    void shouldReturnWhatHadNotStartedFromShutdownNowAndInterruptWhatRuns() throws Exception
    {
        create(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        executor.execute(() ->
        {
            started.countDown();
            try
            {
                release.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                interrupted.set(true);
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        final AtomicInteger ran = new AtomicInteger();
        final List<Runnable> submitted = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final Runnable r = ran::incrementAndGet;
            submitted.add(r);
            executor.execute(r);
        }
        final Future<Integer> future = executor.submit(() -> 1);
        final List<Runnable> notStarted = executor.shutdownNow();
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(interrupted.get(), "the running task was interrupted");
        assertEquals(0, ran.get(), "nothing returned ran");
        assertEquals(51, notStarted.size(), "every task not started, once: 50 and the future");
        assertTrue(notStarted.containsAll(submitted));
        assertTrue(notStarted.contains((Runnable)future));
        assertTrue(executor.shutdownNow().isEmpty(), "each task is returned once");
    }

    @Test
    void shouldInvokeAllInOrderAndCancelWhatTheTimeoutLeaves() throws Exception
    {
        create(2);
        final List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final int n = i;
            tasks.add(() -> n * n);
        }
        final List<Future<Integer>> done = executor.invokeAll(tasks);
        for (int i = 0; i < 20; i++)
        {
            assertTrue(done.get(i).isDone());
            assertEquals(i * i, done.get(i).get());
        }
        final CountDownLatch started = new CountDownLatch(1);
        final List<Future<Object>> timed = executor.invokeAll(
            List.of(Executors.callable(blocker(started))), 50, TimeUnit.MILLISECONDS);
        assertTrue(timed.get(0).isCancelled(), "the task the timeout left (blocked until the test ends) is cancelled");
    }

    @Test
    void shouldStopInvokeAllWhenItsThreadIsInterruptedAndCancelTheRest() throws Exception
    {
        create(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicReference<List<Future<Object>>> result = new AtomicReference<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread caller = new Thread(() ->
        {
            try
            {
                result.set(executor.invokeAll(List.of(Executors.callable(blocker(started)), () -> "second")));
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        });
        caller.start();
        assertTrue(started.await(30, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(30_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertEquals(null, result.get());
    }

    @Test
    void shouldInvokeAnyAndReportWhenAllFail() throws Exception
    {
        create(2);
        assertEquals("ok", executor.invokeAny(List.of(() -> { throw new IllegalStateException("a"); }, () -> "ok")));
        final ExecutionException all = assertThrows(ExecutionException.class, () -> executor.invokeAny(List.of(
            () -> { throw new IllegalStateException("a"); }, () -> { throw new IllegalStateException("b"); })));
        assertInstanceOf(IllegalStateException.class, all.getCause());
        assertThrows(IllegalArgumentException.class, () -> executor.invokeAny(List.of()));
        assertThrows(NullPointerException.class, () -> executor.invokeAny(null));
    }

    @Test
    void shouldAimCancelInterruptsAtOneTaskOnly() throws Exception
    {
        create(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final Future<?> running = executor.submit(() ->
        {
            started.countDown();
            try
            {
                release.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                sawInterrupt.set(true);
            }
        });
        final AtomicBoolean nextInterrupted = new AtomicBoolean(true);
        final Future<?> next = executor.submit(() -> nextInterrupted.set(Thread.currentThread().isInterrupted()));
        final AtomicBoolean cancelledRan = new AtomicBoolean();
        final Future<?> cancelledFirst = executor.submit(() -> cancelledRan.set(true));
        assertTrue(cancelledFirst.cancel(false), "cancelled before it started");
        assertTrue(started.await(30, TimeUnit.SECONDS));
        assertTrue(running.cancel(true));
        assertThrows(CancellationException.class, running::get);
        next.get(30, TimeUnit.SECONDS);
        assertTrue(sawInterrupt.get(), "the cancelled task was interrupted");
        assertFalse(nextInterrupted.get(), "the worker's next task was not");
        assertFalse(cancelledRan.get(), "a task cancelled before it started never runs");
        assertEquals(0, executor.balancer().stats().interruptsCleared(0), "no stray interrupt reached the worker");
    }

    @Test
    void shouldRunAKeysTasksInOrderOneAtATime() throws Exception
    {
        executor = FulcrumExecutorService.create(b -> b.workers(3), FulcrumExecutorService.RejectionPolicy.WAIT);
        final int keys = 8;
        final int perKey = 500;
        final int[] last = new int[keys];
        final AtomicInteger[] running = new AtomicInteger[keys];
        final AtomicInteger problems = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        for (int k = 0; k < keys; k++)
        {
            running[k] = new AtomicInteger();
            last[k] = -1;
        }
        for (int i = 0; i < perKey; i++)
        {
            for (int k = 0; k < keys; k++)
            {
                final int key = k;
                final int seq = i;
                final Executor ordered = executor.forKey(key);
                ordered.execute(() ->
                {
                    if (running[key].incrementAndGet() != 1 || last[key] != seq - 1)
                    {
                        problems.incrementAndGet();
                    }
                    last[key] = seq;
                    running[key].decrementAndGet();
                    done.incrementAndGet();
                });
            }
        }
        Await.until(() -> done.get() == keys * perKey, () -> "done=" + done.get());
        assertEquals(0, problems.get(), "each key in order, one at a time");
    }

    @Test
    void shouldFollowItsRejectionPolicyWhenFull() throws Exception
    {
        executor = FulcrumExecutorService.create(b -> b.workers(1).ringSize(2).maxPendingPerWorker(1));
        final CountDownLatch started = new CountDownLatch(1);
        executor.execute(blocker(started));
        assertTrue(started.await(30, TimeUnit.SECONDS));
        executor.execute(() -> { });
        executor.execute(() -> { });
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> { }), "ABORT when full");
        release.countDown();

        final CountDownLatch release2 = new CountDownLatch(1);
        try (FulcrumExecutorService callerRuns = FulcrumExecutorService.create(
            b -> b.workers(1).ringSize(2).maxPendingPerWorker(1), FulcrumExecutorService.RejectionPolicy.CALLER_RUNS))
        {
            final CountDownLatch started2 = new CountDownLatch(1);
            callerRuns.execute(() ->
            {
                started2.countDown();
                awaitQuietly(release2);
            });
            assertTrue(started2.await(30, TimeUnit.SECONDS));
            callerRuns.execute(() -> { });
            callerRuns.execute(() -> { });
            final AtomicReference<Thread> ranOn = new AtomicReference<>();
            callerRuns.execute(() -> ranOn.set(Thread.currentThread()));
            assertSame(Thread.currentThread(), ranOn.get(), "CALLER_RUNS ran it here");
            assertThrows(IllegalStateException.class, () -> callerRuns.forKey(1), "CALLER_RUNS would break order");
            release2.countDown();
        }

        try (FulcrumExecutorService waiting = FulcrumExecutorService.create(
            b -> b.workers(1).ringSize(2).maxPendingPerWorker(1), FulcrumExecutorService.RejectionPolicy.WAIT))
        {
            final AtomicReference<Throwable> fromWorker = new AtomicReference<>();
            final CountDownLatch done = new CountDownLatch(1);
            final CountDownLatch inner = new CountDownLatch(1);
            final FulcrumExecutorService self = waiting;
            self.execute(() ->
            {
                try
                {
                    for (int i = 0; i < 4; i++)
                    {
                        self.execute(() -> awaitQuietly(inner)); // fills the ring from the worker itself
                    }
                }
                catch (final Throwable t)
                {
                    fromWorker.set(t);
                }
                done.countDown();
            });
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertInstanceOf(RejectedExecutionException.class, fromWorker.get(),
                "a waiting execute on a worker that would wait for itself is refused");
            inner.countDown();
        }
    }

    @Test
    void shouldHandTheExceptionOfAnExecutedTaskToTheThreadsHandlerAndGoOn() throws Exception
    {
        final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        executor = FulcrumExecutorService.create(b -> b.workers(1).threadFactory(r ->
        {
            final Thread t = new Thread(r);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
            return t;
        }));
        executor.execute(() -> { throw new IllegalStateException("task fails"); });
        assertEquals(9, executor.submit(() -> 9).get(), "the worker goes on");
        Await.until(() -> uncaught.size() == 1, () -> "uncaught=" + uncaught);
        assertEquals("task fails", uncaught.get(0).getMessage());
    }

    @Test
    void shouldReturnEveryAcceptedTaskOnceFromRunOrShutdownNowWhenTheyRace() throws Exception
    {
        for (int round = 0; round < 10; round++)
        {
            final FulcrumExecutorService racing = FulcrumExecutorService.create(b -> b.workers(2)
                .stallThreshold(Duration.ZERO), FulcrumExecutorService.RejectionPolicy.WAIT);
            final int tasks = 20_000;
            final AtomicInteger[] runs = new AtomicInteger[tasks];
            final Runnable[] all = new Runnable[tasks];
            for (int i = 0; i < tasks; i++)
            {
                final AtomicInteger count = runs[i] = new AtomicInteger();
                all[i] = count::incrementAndGet;
            }
            final AtomicInteger accepted = new AtomicInteger();
            final Thread producer = new Thread(() ->
            {
                for (int i = 0; i < tasks; i++)
                {
                    try
                    {
                        racing.execute(all[i]);
                        accepted.incrementAndGet();
                    }
                    catch (final RejectedExecutionException refused)
                    {
                        return;
                    }
                }
            });
            producer.start();
            final int atLeast = 1_000 * (1 + round);
            Await.until(() -> accepted.get() > atLeast, () -> "accepted=" + accepted.get());
            final List<Runnable> back = racing.shutdownNow();
            producer.join(30_000);
            assertTrue(racing.awaitTermination(30, TimeUnit.SECONDS));
            final java.util.Set<Runnable> returned = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            returned.addAll(back);
            assertEquals(back.size(), returned.size(), "no task returned twice");
            for (int i = 0; i < accepted.get(); i++)
            {
                final int ran = runs[i].get();
                final boolean wasReturned = returned.contains(all[i]);
                assertEquals(1, ran + (wasReturned ? 1 : 0), "task " + i + " ran " + ran + "x, returned " + wasReturned);
            }
        }
    }

    @Test
    void shouldRefuseFromATaskWhatWouldWaitForTheTaskItself() throws Exception
    {
        create(1);
        final Future<List<Class<?>>> refused = executor.submit(() ->
        {
            final List<Class<?>> errors = new ArrayList<>();
            for (final Runnable call : new Runnable[]{
                executor::close, executor::shutdownNow, () -> awaitTerminationQuietly(executor)})
            {
                try
                {
                    call.run();
                }
                catch (final IllegalStateException expected)
                {
                    errors.add(expected.getClass());
                }
            }
            executor.shutdown(); // fine from a task
            return errors;
        });
        assertEquals(3, refused.get(30, TimeUnit.SECONDS).size(), "close, shutdownNow and awaitTermination refused");
        assertTrue(executor.awaitTermination(30, TimeUnit.SECONDS));
    }

    private static void awaitTerminationQuietly(final FulcrumExecutorService executor)
    {
        try
        {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Executors
    {
        static Callable<Object> callable(final Runnable r)
        {
            return java.util.concurrent.Executors.callable(r);
        }
    }
}
