package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real threads, bounded in count and time: four producers, tasks that throw, replies that throw, and close racing
 * the producers. Every accepted request gets exactly one reply; every refused one gets none; pending ends at 0.
 * Sizes scale with {@code -Dfulcrum.stress.requests}.
 */
class StressTest
{
    private static final int PRODUCERS = 4;
    private static final int REQUESTS = Integer.getInteger("fulcrum.stress.requests", 1_000_000);
    private static final int RACE_REQUESTS = 40_000;

    static Stream<Arguments> policies()
    {
        return Stream.of(
            Arguments.of(Policy.leastLoaded()),
            Arguments.of(Policy.roundRobin()),
            Arguments.of(Policy.powerOfTwoChoices(1)),
            Arguments.of(Policy.joinIdleQueue()),
            Arguments.of(Policy.peakEwma()));
    }

    @ParameterizedTest
    @MethodSource("policies")
    @Timeout(300)
    void shouldReplyExactlyOncePerRequestWhenFourProducersRunAMillionRequests(final Policy policy) throws Exception
    {
        final int requests = Policy.leastLoaded() == policy ? REQUESTS : REQUESTS / 4;
        final Run run = new Run(requests, policy, ThreadingMode.DEDICATED, 2, PRODUCERS, false);
        run.startProducers();
        run.awaitProducers();
        run.balancer.close();
        run.verify();
        assertEquals(requests, run.accepted.get(), "nothing was closed early, so everything was accepted");
    }

    @Test
    @Timeout(300)
    void shouldNeverLoseOrDuplicateARequestWhenCloseRacesTheProducers() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(2026);
        final ThreadingMode[] modes = ThreadingMode.values();
        final int rounds = 12;
        long refusedTotal = 0;
        for (int round = 0; round < rounds; round++)
        {
            final ThreadingMode mode = modes[round % modes.length];
            if (ThreadingMode.INVOKER == mode)
            {
                continue; // the invoker needs a driving thread of its own; covered in ThreadingModeTest
            }
            refusedTotal += raceClose(new Run(RACE_REQUESTS, Policy.leastLoaded(), mode, 2, PRODUCERS, false), random);
        }
        assertTrue(refusedTotal > 0, "close raced the producers at least once");
    }

    @Test
    @Timeout(300)
    void shouldNeverLoseOrDuplicateARequestWhenCloseRacesTheSingleProducer() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(17);
        long refusedTotal = 0;
        for (int round = 0; round < 8; round++)
        {
            refusedTotal += raceClose(
                new Run(RACE_REQUESTS, Policy.leastLoaded(), ThreadingMode.DEDICATED, 2, 1, true), random);
        }
        assertTrue(refusedTotal > 0, "close raced the producer at least once");
    }

    /**
     * Close the balancer after a random number of requests was accepted, while the producers keep submitting.
     *
     * @return how many submits close() refused.
     */
    private static long raceClose(final Run run, final SplittableRandom random) throws Exception
    {
        final long closeAfter = random.nextInt(run.requests);
        run.startProducers();
        Await.until(() -> run.accepted.get() >= closeAfter || run.producersDone(), () -> "accepted " + closeAfter);
        run.balancer.close();
        run.awaitProducers();
        run.verify();
        return run.refused.get();
    }

    /**
     * One run: request i is the Long i; its producer is i % producerCount. A request is accepted when submit returns.
     */
    private static final class Run
    {
        final int requests;
        final Balancer<Long, Long> balancer;
        final AtomicIntegerArray replies;
        final AtomicIntegerArray acceptedFlags;
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong replyErrorsThrown = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final List<Thread> producers = new ArrayList<>();

        final int producerCount;

        Run(
            final int requests,
            final Policy policy,
            final ThreadingMode mode,
            final int workers,
            final int producerCount,
            final boolean singleProducer)
        {
            this.requests = requests;
            this.producerCount = producerCount;
            replies = new AtomicIntegerArray(requests);
            acceptedFlags = new AtomicIntegerArray(requests);
            final BalancerBuilder<Long, Long> builder = Balancer.builder((Long id) ->
                {
                    if (id % 100 == 7)
                    {
                        throw new IllegalStateException("task fails by design: id=" + id);
                    }
                    return -id;
                })
                .workers(workers)
                .policy(policy)
                .threadingMode(mode)
                .ringSize(256)
                .maxPendingPerWorker(8)
                .balancerIdleStrategy(YieldingIdleStrategy::new)
                .workerIdleStrategy(() -> new BackoffIdleStrategy(50, 10, 1_000, 50_000))
                .errorHandler(reported::add);
            balancer = singleProducer ? builder.singleProducer().build() : builder.build();
        }

        private final Reply<Long, Long> reply = new Reply<>()
        {
            public void onResult(final Long id, final Long result)
            {
                if (result != -id || id % 100 == 7)
                {
                    unexpected.add(new AssertionError("wrong result for " + id + ": " + result));
                }
                count(id);
            }

            public void onError(final Long id, final Throwable error)
            {
                if (id % 100 != 7)
                {
                    unexpected.add(error);
                }
                count(id);
            }

            private void count(final Long id)
            {
                replies.incrementAndGet(id.intValue());
                if (id % 997 == 3)
                {
                    replyErrorsThrown.incrementAndGet();
                    throw new IllegalStateException("reply fails by design: id=" + id);
                }
            }
        };

        void startProducers() throws Exception
        {
            final CyclicBarrier start = new CyclicBarrier(producerCount + 1);
            for (int p = 0; p < producerCount; p++)
            {
                final int producer = p;
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (long id = producer; id < requests; id += producerCount)
                        {
                            try
                            {
                                balancer.submit(id, reply);
                            }
                            catch (final IllegalStateException closed)
                            {
                                refused.incrementAndGet();
                                return;
                            }
                            acceptedFlags.set((int)id, 1);
                            accepted.incrementAndGet();
                        }
                    }
                    catch (final Throwable t)
                    {
                        unexpected.add(t);
                    }
                }, "producer-" + p);
                producers.add(thread);
                thread.start();
            }
            start.await();
        }

        boolean producersDone()
        {
            return producers.stream().noneMatch(Thread::isAlive);
        }

        void awaitProducers() throws InterruptedException
        {
            for (final Thread thread : producers)
            {
                thread.join(120_000);
                assertTrue(!thread.isAlive(), thread.getName() + " did not finish");
            }
        }

        void verify()
        {
            assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
            long expectedFailures = 0;
            long acceptedCount = 0;
            for (int id = 0; id < requests; id++)
            {
                final int expected = acceptedFlags.get(id);
                assertEquals(expected, replies.get(id), "replies for request " + id + " (accepted=" + expected + ")");
                acceptedCount += expected;
                if (expected == 1 && id % 100 == 7)
                {
                    expectedFailures++;
                }
            }
            assertEquals(accepted.get(), acceptedCount);

            final BalancerStats stats = balancer.stats();
            assertEquals(0, stats.totalPending(), () -> "pending at quiescence: " + stats);
            assertEquals(acceptedCount, stats.totalCompleted());
            assertEquals(acceptedCount, stats.dispatched());
            assertEquals(expectedFailures, stats.totalFailed());
            assertEquals(replyErrorsThrown.get(), stats.totalReplyErrors());
            assertEquals(replyErrorsThrown.get(), reported.size());
            final BalancerAgent agent = balancer.balancerAgent();
            assertEquals(agent.poolSize(), agent.freeJobs(), "job pool full again");
        }
    }
}
