package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 3: a Reply or a Task that calls {@code close()} while another thread is already inside
 * {@code close()} must not deadlock: the reentrant close is refused with {@link IllegalStateException} and the outer
 * close returns. Latches make the order certain: the outer close is known to be waiting (the balancer is closed and
 * a task is held) before the reentrant close is made. Several threads closing at once all return.
 */
class CloseReentryTest
{
    private static final int BLOCK = 0;

    @Test
    @Timeout(60)
    void shouldRefuseACloseFromAReplyWhileAnotherThreadIsInsideClose() throws Exception
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final AtomicReference<Balancer<Integer, Integer>> self = new AtomicReference<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(1);
        final Balancer<Integer, Integer> balancer = Balancer.builder(holding(started, release))
            .workers(1)
            .errorHandler(reported::add)
            .build();
        self.set(balancer);
        balancer.submit(BLOCK, new Reply<Integer, Integer>()
        {
            public void onResult(final Integer request, final Integer result)
            {
                tally.onResult(request, result);
                self.get().close(); // the outer close is waiting for this very reply: must be refused, not wait
            }

            public void onError(final Integer request, final Throwable error)
            {
                tally.onError(request, error);
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));

        final Thread outer = closeOnNewThread(balancer, "outer-closer");
        Await.until(balancer::isClosed, () -> "outer close began"); // outer is inside close(), waiting for the task
        release.countDown();

        outer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(outer.isAlive(), "outer close returned: no deadlock");
        assertEquals(1, tally.replies(BLOCK));
        assertEquals(1, reported.size(), () -> "the reply's throw went to the error handler: " + reported);
        final Throwable refused = reported.peek();
        assertTrue(refused instanceof IllegalStateException, () -> "refused with " + refused);
        assertTrue(refused.getMessage().contains("worker-0"), refused::getMessage);
        assertEquals(1, balancer.stats().totalReplyErrors());
    }

    @Test
    @Timeout(60)
    void shouldRefuseACloseFromATaskWhileAnotherThreadIsInsideClose() throws Exception
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch outerClosing = new CountDownLatch(1);
        final AtomicReference<Balancer<Integer, Integer>> self = new AtomicReference<>();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(1);
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                started.countDown();
                if (!outerClosing.await(30, TimeUnit.SECONDS))
                {
                    throw new AssertionError("outer close never began");
                }
                self.get().close();
                return q;
            })
            .workers(1)
            .errorHandler(reported::add)
            .build();
        self.set(balancer);
        balancer.submit(BLOCK, tally);
        assertTrue(started.await(30, TimeUnit.SECONDS));

        final Thread outer = closeOnNewThread(balancer, "outer-closer");
        Await.until(balancer::isClosed, () -> "outer close began");
        outerClosing.countDown();

        outer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(outer.isAlive(), "outer close returned: no deadlock");
        assertEquals(1, tally.replies(BLOCK));
        final Throwable error = tally.error(BLOCK);
        assertTrue(error instanceof IllegalStateException, () -> "task error " + error);
        assertTrue(error.getMessage().contains("worker-0"), error::getMessage);
        assertTrue(reported.isEmpty(), () -> "nothing else went wrong: " + reported);
    }

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(60)
    void shouldReturnFromEveryCloseWhenSeveralThreadsCloseAtOnce(final ThreadingMode mode) throws Exception
    {
        final int closers = 4;
        final int queued = 20;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(queued + 1);
        final Balancer<Integer, Integer> balancer = Balancer.builder(holding(started, release))
            .workers(2)
            .threadingMode(mode)
            .ringSize(64)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .errorHandler(reported::add)
            .build();
        assertTrue(balancer.trySubmit(BLOCK, tally));
        Await.until(() ->
        {
            if (ThreadingMode.INVOKER == mode)
            {
                balancer.invoker().invoke();
            }
            return 0 == started.getCount();
        }, () -> "held task started");
        for (int i = 1; i <= queued; i++)
        {
            assertTrue(balancer.trySubmit(i, tally));
        }

        final CyclicBarrier together = new CyclicBarrier(closers);
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < closers; c++)
        {
            final Thread t = new Thread(() ->
            {
                try
                {
                    together.await();
                    balancer.close();
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "closer-" + c);
            threads.add(t);
            t.start();
        }
        Await.until(balancer::isClosed, () -> "a close began");
        release.countDown();
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t.getName() + " returned from close()");
        }
        assertTrue(failures.isEmpty(), () -> "every close returned normally: " + failures);
        tally.assertExactlyOnce(queued + 1, id -> true);
        assertEquals(0, tally.errors(Throwable.class), "every request ran: close() waits");
        assertTrue(reported.isEmpty(), () -> "no engine error: " + reported);
        assertEquals(0, balancer.stats().totalPending());
    }

    private static Task<Integer, Integer> holding(final CountDownLatch started, final CountDownLatch release)
    {
        return q ->
        {
            if (BLOCK == q)
            {
                started.countDown();
                if (!release.await(30, TimeUnit.SECONDS))
                {
                    throw new AssertionError("never released");
                }
            }
            return q;
        };
    }

    private static Thread closeOnNewThread(final Balancer<?, ?> balancer, final String name)
    {
        final Thread t = new Thread(balancer::close, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
