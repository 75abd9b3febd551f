package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 7: in INVOKER mode, {@code close()} from a thread other than the one driving {@code invoke()}, while
 * producers submit, must be safe: exactly one reply per accepted request, none per refused one, nothing thrown
 * inside the engine (the error handler hears nothing), and close returns. Twenty bounded rounds, close at a random
 * point of each.
 */
class InvokerCloseFromOtherThreadTest
{
    private static final int ROUNDS = 20;
    private static final int PRODUCERS = 2;
    private static final int REQUESTS = 4_000;

    @Test
    @Timeout(120)
    void shouldReplyOncePerAcceptedRequestWhenCloseComesFromAnotherThreadThanTheDriver() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(8);
        long refused = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            refused += round(random.nextInt(REQUESTS), round);
        }
        assertTrue(refused > 0, "close raced the producers at least once");
    }

    private static long round(final int closeAfter, final int round) throws Exception
    {
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final ReplyTally<Integer> tally = new ReplyTally<>(REQUESTS);
        final AtomicIntegerArray accepted = new AtomicIntegerArray(REQUESTS);
        final AtomicLong acceptedCount = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> q)
            .workers(2)
            .ringSize(64)
            .maxPendingPerWorker(4)
            .threadingMode(ThreadingMode.INVOKER)
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .errorHandler(reported::add)
            .build();

        final Thread driver = new Thread(() ->
        {
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
            try
            {
                // the application's loop: runs until the closer, on another thread, has closed the invoker
                while (balancer.invoker().isRunning())
                {
                    idle.idle(balancer.invoker().invoke());
                }
            }
            catch (final Throwable t)
            {
                unexpected.add(t);
            }
        }, "driver-" + round);

        final CyclicBarrier start = new CyclicBarrier(PRODUCERS + 1);
        final List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int producer = p;
            final Thread t = new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int id = producer; id < REQUESTS; id += PRODUCERS)
                    {
                        try
                        {
                            balancer.submit(id, tally);
                        }
                        catch (final IllegalStateException closed)
                        {
                            refused.incrementAndGet();
                            return;
                        }
                        accepted.set(id, 1);
                        acceptedCount.incrementAndGet();
                    }
                }
                catch (final Throwable t1)
                {
                    unexpected.add(t1);
                }
            }, "producer-" + round + "-" + p);
            producers.add(t);
        }
        driver.setDaemon(true);
        driver.start();
        producers.forEach(Thread::start);
        start.await();

        Await.until(() -> acceptedCount.get() >= closeAfter || producers.stream().noneMatch(Thread::isAlive),
            () -> "accepted " + acceptedCount.get() + " of " + closeAfter);
        final Thread closer = new Thread(balancer::close, "closer-" + round);
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(closer.isAlive(), () -> "close() returned in round " + round + ": " + balancer.stats());
        for (final Thread t : producers)
        {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t.getName() + " finished");
        }
        driver.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(driver.isAlive(), driver.getName() + " finished");

        assertTrue(unexpected.isEmpty(), () -> "round " + round + " unexpected: " + unexpected);
        assertTrue(reported.isEmpty(), () -> "round " + round + " the engine reported: " + reported);
        tally.assertExactlyOnce(REQUESTS, id -> 1 == accepted.get(id));
        assertEquals(0, tally.errors(Throwable.class), "close() runs everything it accepted");
        assertEquals(0, balancer.stats().totalPending(), () -> balancer.stats().toString());
        return refused.get();
    }
}
