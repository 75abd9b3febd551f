package dev.fulcrum;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's own threads as virtual threads ({@code threadFactory(Thread.ofVirtual().factory())}, JDK 21 or
 * later), with Pike's requesters as virtual threads too, each parking until its reply unparks it: every request is
 * answered once, a task stuck past the stall threshold is still routed around, and close ends every thread. Found at
 * run time (the core builds for Java 17); skipped, saying so, on a JDK without virtual threads.
 */
class VirtualEngineThreadsTest
{
    private static final int REQUESTERS = 50;
    private static final int ROUNDS = 200;

    private static ThreadFactory virtualThreads()
    {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21,
            () -> "virtual threads need a JDK 21 or later: java.version=" + System.getProperty("java.version"));
        try
        {
            final Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory)Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("Thread.ofVirtual().factory() failed", ex);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    @Timeout(120)
    void shouldAnswerEveryRequestOnceWithVirtualEngineThreadsAndVirtualRequesters(final ThreadingMode mode)
        throws Exception
    {
        final ThreadFactory virtual = virtualThreads();
        final List<Thread> engineThreads = new ArrayList<>();
        final AtomicIntegerArray replies = new AtomicIntegerArray(REQUESTERS * ROUNDS);
        final Balancer<Integer, Integer> balancer = Balancer.<Integer, Integer>builder(q ->
            {
                if (q == 7)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // past the stall threshold below
                }
                return q;
            })
            .workers(4)
            .threadingMode(mode)
            .stallThreshold(Duration.ofMillis(100))
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .errorHandler(t -> { })
            .threadFactory(r ->
            {
                final Thread t = virtual.newThread(r);
                synchronized (engineThreads)
                {
                    engineThreads.add(t);
                }
                return t;
            })
            .build();

        final List<Thread> requesters = new ArrayList<>();
        for (int r = 0; r < REQUESTERS; r++)
        {
            final int first = r * ROUNDS;
            final Thread requester = virtual.newThread(() ->
            {
                final Thread self = Thread.currentThread();
                for (int i = first; i < first + ROUNDS; i++)
                {
                    final boolean[] answered = {false};
                    balancer.submit(i, Reply.of(
                        (q, result) ->
                        {
                            replies.incrementAndGet(q);
                            synchronized (answered)
                            {
                                answered[0] = true;
                            }
                            LockSupport.unpark(self);
                        },
                        (q, error) ->
                        {
                            replies.incrementAndGet(q);
                            synchronized (answered)
                            {
                                answered[0] = true;
                            }
                            LockSupport.unpark(self);
                        }));
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (System.nanoTime() < deadline)
                    {
                        synchronized (answered)
                        {
                            if (answered[0])
                            {
                                break;
                            }
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
            });
            requesters.add(requester);
            requester.start();
        }
        for (final Thread requester : requesters)
        {
            requester.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!requester.isAlive(), "a requester is still waiting");
        }
        assertTrue(balancer.close(Duration.ofSeconds(30)), "drained");

        for (int i = 0; i < REQUESTERS * ROUNDS; i++)
        {
            assertEquals(1, replies.get(i), "replies to request " + i);
        }
        assertEquals(REQUESTERS * ROUNDS, balancer.stats().totalCompleted());
        assertTrue(balancer.stats().totalStalls() >= 1, () -> "the stuck task was seen: " + balancer.stats());
        Await.until(balancer::isTerminated, () -> "engine threads still alive");
        synchronized (engineThreads)
        {
            for (final Thread t : engineThreads)
            {
                assertTrue((Boolean)Thread.class.getMethod("isVirtual").invoke(t), "engine thread " + t + " virtual");
            }
        }
    }
}
