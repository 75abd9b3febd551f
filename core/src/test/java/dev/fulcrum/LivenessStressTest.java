package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, stress with stall detection on: four producers, keyed (skewed keys) and unkeyed requests mixed, tasks
 * that now and then block well past a 5 ms stall threshold (the workload, not test synchronisation), back-off idle
 * strategies, and close racing the producers at the end. Exactly one reply per accepted request and none per
 * refused one; each key's requests run one at a time in submission order (per producer, who alone knows that
 * order); no request runs twice; and stalls were detected. Sizes scale with {@code -Dfulcrum.stress.requests}.
 */
class LivenessStressTest
{
    private static final int PRODUCERS = 4;
    private static final int KEYS = 64;
    private static final int REQUESTS = Math.max(1_000, Integer.getInteger("fulcrum.stress.requests", 1_000_000) / 25);
    /** One request in this many blocks its worker for {@link #BLOCK_MS}. */
    private static final int BLOCK_EVERY = 997;
    private static final long BLOCK_MS = 25;

    /** One request: its id, who sent it, its key (-1: unkeyed), its place among its producer's requests of the key. */
    static final class Request
    {
        final int id;
        final int producer;
        final int key;
        final int seq;

        Request(final int id, final int producer, final int key, final int seq)
        {
            this.id = id;
            this.producer = producer;
            this.key = key;
            this.seq = seq;
        }

        @Override
        public String toString()
        {
            return "Request{id=" + id + ", producer=" + producer + ", key=" + key + ", seq=" + seq + "}";
        }
    }

    @ParameterizedTest
    @EnumSource(value = ThreadingMode.class, names = {"DEDICATED", "SHARED"})
    @Timeout(120)
    void shouldReplyOnceKeepKeyOrderAndRunNothingTwiceWhenTasksStallAndCloseRacesTheProducers(
        final ThreadingMode mode) throws Exception
    {
        final Run run = new Run(mode);
        run.startProducers();
        final long closeAfter = REQUESTS * 17L / 20;
        Await.until(() -> run.accepted.get() >= closeAfter || run.producersDone(),
            () -> "accepted " + run.accepted.get() + " of " + closeAfter + ", " + run.balancer.stats());
        run.balancer.close();
        run.awaitProducers();

        final BalancerStats stats = run.balancer.stats();
        System.out.println("LivenessStressTest " + mode + ": accepted=" + run.accepted.get() + " refused=" +
            run.refused.get() + " stalls=" + stats.totalStalls() + " moved=" + stats.totalMoved() +
            " keyBacklogRejected=" + stats.keyBacklogRejected() + " " + stats);
        run.verify(stats);
    }

    private static final class Run
    {
        final Balancer<Request, Integer> balancer;
        final Request[][] plans = new Request[PRODUCERS][];
        final AtomicIntegerArray accepted1 = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray replies = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray runs = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray running = new AtomicIntegerArray(KEYS);
        final AtomicLongArray lastSeq = new AtomicLongArray(PRODUCERS * KEYS);
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong backlogFull = new AtomicLong();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final List<Thread> producers = new ArrayList<>();

        Run(final ThreadingMode mode)
        {
            for (int i = 0; i < lastSeq.length(); i++)
            {
                lastSeq.set(i, -1);
            }
            plan();
            balancer = Balancer.builder(this::execute)
                .workers(3)
                .threadingMode(mode)
                .ringSize(256)
                .maxPendingPerWorker(8)
                .stallThreshold(Duration.ofMillis(5))
                .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 100, 1_000, 100_000))
                .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 100, 1_000, 100_000))
                .errorHandler(reported::add)
                .build();
        }

        /** Request id i belongs to producer i % PRODUCERS; half keyed, keys skewed towards 0 (u cubed). */
        private void plan()
        {
            final SplittableRandom random = new SplittableRandom(88);
            final int[][] nextSeq = new int[PRODUCERS][KEYS];
            final AtomicInteger[] counts = new AtomicInteger[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++)
            {
                plans[p] = new Request[(REQUESTS - p + PRODUCERS - 1) / PRODUCERS];
                counts[p] = new AtomicInteger();
            }
            for (int id = 0; id < REQUESTS; id++)
            {
                final int p = id % PRODUCERS;
                final int key;
                if (random.nextBoolean())
                {
                    final double u = random.nextDouble();
                    key = (int)(KEYS * u * u * u);
                }
                else
                {
                    key = -1;
                }
                plans[p][counts[p].getAndIncrement()] = new Request(id, p, key, key < 0 ? 0 : nextSeq[p][key]++);
            }
        }

        private Integer execute(final Request q)
        {
            if (runs.incrementAndGet(q.id) != 1)
            {
                violations.add("ran twice: " + q);
            }
            if (q.key >= 0)
            {
                if (!running.compareAndSet(q.key, 0, 1))
                {
                    violations.add("another request of key " + q.key + " is running: " + q);
                }
                final int slot = q.producer * KEYS + q.key;
                final long previous = lastSeq.get(slot);
                if (previous >= q.seq)
                {
                    violations.add("out of order: " + q + " after seq " + previous);
                }
                lastSeq.set(slot, q.seq);
            }
            if (q.id % BLOCK_EVERY == 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(BLOCK_MS)); // the stall: workload, not a wait
            }
            if (q.key >= 0)
            {
                running.set(q.key, 0);
            }
            return q.id;
        }

        final Reply<Request, Integer> reply = new Reply<>()
        {
            public void onResult(final Request q, final Integer result)
            {
                if (result != q.id)
                {
                    violations.add("wrong result " + result + " for " + q);
                }
                replies.incrementAndGet(q.id);
            }

            public void onError(final Request q, final Throwable error)
            {
                if (error instanceof KeyBacklogFullException && q.key >= 0)
                {
                    backlogFull.incrementAndGet();
                    if (0 != runs.get(q.id))
                    {
                        violations.add("answered with KeyBacklogFullException but ran: " + q);
                    }
                }
                else
                {
                    violations.add("unexpected error for " + q + ": " + error);
                }
                replies.incrementAndGet(q.id);
            }
        };

        void startProducers() throws Exception
        {
            final CyclicBarrier start = new CyclicBarrier(PRODUCERS + 1);
            for (int p = 0; p < PRODUCERS; p++)
            {
                final Request[] plan = plans[p];
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (final Request q : plan)
                        {
                            try
                            {
                                if (q.key < 0)
                                {
                                    balancer.submit(q, reply);
                                }
                                else
                                {
                                    balancer.submit(q.key, q, reply);
                                }
                            }
                            catch (final IllegalStateException closed)
                            {
                                refused.incrementAndGet();
                                return;
                            }
                            accepted1.set(q.id, 1);
                            accepted.incrementAndGet();
                        }
                    }
                    catch (final Throwable t)
                    {
                        violations.add("producer failed: " + t);
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
                thread.join(TimeUnit.SECONDS.toMillis(60));
                assertTrue(!thread.isAlive(), thread.getName() + " did not finish");
            }
        }

        void verify(final BalancerStats stats)
        {
            assertTrue(violations.isEmpty(), () -> violations.size() + " violations, first: " +
                violations.stream().limit(10).collect(java.util.stream.Collectors.toList()));
            long acceptedCount = 0;
            long ran = 0;
            for (int id = 0; id < REQUESTS; id++)
            {
                final int expected = accepted1.get(id);
                assertEquals(expected, replies.get(id), "replies for request " + id + " (accepted=" + expected + ")");
                acceptedCount += expected;
                ran += runs.get(id);
                if (0 == expected)
                {
                    assertEquals(0, runs.get(id), "refused request " + id + " never ran");
                }
            }
            assertEquals(accepted.get(), acceptedCount);
            assertEquals(acceptedCount, ran + backlogFull.get(), "each accepted request ran once or was refused by key");
            assertEquals(backlogFull.get(), stats.keyBacklogRejected(), stats::toString);
            assertEquals(0, stats.totalPending(), stats::toString);
            assertEquals(ran, stats.totalCompleted(), stats::toString);
            // a moved request that had been queued is dispatched again; one moved while parked was never dispatched
            assertTrue(stats.dispatched() >= ran && stats.dispatched() <= ran + stats.totalMoved(), stats::toString);
            assertTrue(stats.totalStalls() > 0, () -> "stalls were detected: " + stats);
            assertTrue(reported.stream().allMatch(t -> t instanceof WorkerStalledException),
                () -> "only stalls reported: " + reported.stream().filter(t -> !(t instanceof WorkerStalledException))
                    .limit(5).collect(java.util.stream.Collectors.toList()));
            assertTrue(reported.size() >= stats.totalStalls(), () -> "every stall reported: " + reported.size());
        }
    }
}
