package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, item 4 under load: {@code close(Duration)} with a short deadline races two producers, stall detection
 * moving queued work (5 ms threshold), keyed and unkeyed requests, tasks that run past the threshold and one stuck
 * until released, in every
 * threading mode. Whatever the interleaving: each accepted request gets exactly one reply, refused ones none, a
 * {@link ClosedBeforeRunException} only for a request that never ran, an {@link AbandonedByCloseException} only for
 * one that did, a late result never reaches a reply, and no request runs twice. Bounded rounds.
 */
class CloseDeadlineRaceTest
{
    /** A deadline close logs a warning on purpose: kept off the build's console. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final LogCapture deadlineLog = new LogCapture();

    private static final int ROUNDS = 15;
    private static final int PRODUCERS = 2;
    private static final int REQUESTS = 3_000;
    private static final int KEYS = 16;
    /** One request in this many runs past the stall threshold (and returns). */
    private static final int LONG_EVERY = 97;

    @Test
    @Timeout(180)
    void shouldAnswerEveryAcceptedRequestOnceWhenADeadlineCloseRacesStallsMovesAndProducers() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(Long.getLong("fulcrum.test.seed", 4));
        final ThreadingMode[] modes = ThreadingMode.values();
        long deadlineMissed = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            deadlineMissed += new Round(modes[round % modes.length], round, random).run() ? 0 : 1;
        }
        assertTrue(deadlineMissed > 0, "the deadline passed with work left at least once");
    }

    private static final class Round
    {
        final ThreadingMode mode;
        final int round;
        final int closeAfter;
        /** The one request of the round that is stuck until released: one worker stuck, the other free. */
        final int stuckId;
        final long deadlineMs;
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicIntegerArray accepted = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray replies = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray runs = new AtomicIntegerArray(REQUESTS);
        final AtomicIntegerArray running = new AtomicIntegerArray(KEYS);
        final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
        final AtomicLong acceptedCount = new AtomicLong();
        final AtomicLong replyCount = new AtomicLong();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final List<Thread> engineThreads = new CopyOnWriteArrayList<>();
        final Balancer<Integer, Integer> balancer;

        Round(final ThreadingMode mode, final int round, final SplittableRandom random)
        {
            this.mode = mode;
            this.round = round;
            closeAfter = random.nextInt(REQUESTS / 2);
            stuckId = random.nextInt(REQUESTS / 4);
            deadlineMs = random.nextInt(30);
            balancer = Balancer.builder(this::execute)
                .workers(2)
                .threadingMode(mode)
                .ringSize(64)
                .maxPendingPerWorker(4)
                .stallThreshold(Duration.ofMillis(5))
                .balancerIdleStrategy(EngineTestSupport::backoff)
                .workerIdleStrategy(EngineTestSupport::backoff)
                .errorHandler(reported::add)
                .threadFactory(EngineTestSupport.recordingDaemons(engineThreads))
                .build();
        }

        static int key(final int id)
        {
            return id % 3 == 0 ? -1 : (id * 7) % KEYS;
        }

        private Integer execute(final Integer id)
        {
            if (runs.incrementAndGet(id) != 1)
            {
                violations.add("ran twice: " + id);
            }
            final int key = key(id);
            if (key >= 0 && !running.compareAndSet(key, 0, 1))
            {
                violations.add("another request of key " + key + " is running: " + id);
            }
            try
            {
                if (id == stuckId)
                {
                    while (release.getCount() > 0) // stuck until released, whatever interrupts it gets
                    {
                        try
                        {
                            release.await(30, TimeUnit.SECONDS);
                        }
                        catch (final InterruptedException ignore)
                        {
                            // the deadline close interrupts; a stuck task does not care
                        }
                    }
                }
                else if (id % LONG_EVERY == 0)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(8)); // workload: past the 5 ms threshold
                }
            }
            finally
            {
                if (key >= 0)
                {
                    running.set(key, 0);
                }
            }
            return id;
        }

        private final Reply<Integer, Integer> reply = new Reply<>()
        {
            public void onResult(final Integer id, final Integer result)
            {
                count(id);
            }

            public void onError(final Integer id, final Throwable error)
            {
                errors.put(id, error);
                count(id);
            }

            private void count(final int id)
            {
                if (replies.incrementAndGet(id) != 1)
                {
                    violations.add("replied twice: " + id);
                }
                replyCount.incrementAndGet();
            }
        };

        /**
         * @return what close(Duration) returned.
         */
        boolean run() throws Exception
        {
            final Thread driver = ThreadingMode.INVOKER != mode ? null : new Thread(() ->
            {
                final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
                while (balancer.invoker().isRunning())
                {
                    idle.idle(balancer.invoker().invoke());
                }
            }, "driver-" + round);
            if (null != driver)
            {
                driver.setDaemon(true);
                driver.start();
            }
            final List<Thread> producers = startProducers();

            // close after closeAfter accepted, or earlier if every producer is seen parked in a waiting submit
            // (backpressure, or a freeze like the one StalledTogetherTest caught): any moment is fair to race close
            Await.until(() -> acceptedCount.get() >= closeAfter || producers.stream().allMatch(Round::waitingOrDone),
                () -> what() + " accepted " + acceptedCount.get() + ", replies " + replyCount.get() + ", " +
                    balancer.stats() + ", stalled " + balancer.stats().stalled(0) + "/" + balancer.stats().stalled(1) +
                    ", producers " + producers.stream().map(t -> t.getState().toString())
                    .collect(java.util.stream.Collectors.joining(",")));
            final boolean drained = balancer.close(Duration.ofMillis(deadlineMs));
            for (final Thread t : producers)
            {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(t.isAlive(), t.getName() + " finished");
            }
            // a reply a worker had begun before the deadline may still be finishing: wait for the count
            Await.until(() -> replyCount.get() >= acceptedCount.get(),
                () -> what() + " replies " + replyCount.get() + " of " + acceptedCount.get());

            release.countDown();
            for (final Thread t : engineThreads)
            {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(t.isAlive(), () -> what() + " " + t.getName() + " ended after its task returned");
            }
            if (null != driver)
            {
                driver.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(driver.isAlive(), what() + " driver ended");
            }
            verify(drained);
            return drained;
        }

        private static boolean waitingOrDone(final Thread producer)
        {
            final Thread.State state = producer.getState();
            return Thread.State.TERMINATED == state || Thread.State.TIMED_WAITING == state ||
                Thread.State.WAITING == state;
        }

        private List<Thread> startProducers() throws Exception
        {
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
                                final int key = key(id);
                                if (key < 0)
                                {
                                    balancer.submit(id, reply);
                                }
                                else
                                {
                                    balancer.submit(key, id, reply);
                                }
                            }
                            catch (final IllegalStateException closed)
                            {
                                return;
                            }
                            accepted.set(id, 1);
                            acceptedCount.incrementAndGet();
                        }
                    }
                    catch (final Throwable t1)
                    {
                        violations.add("producer failed: " + t1);
                    }
                }, "producer-" + round + "-" + p);
                producers.add(t);
                t.start();
            }
            start.await();
            return producers;
        }

        private String what()
        {
            return "round " + round + " (" + mode + ", stuck " + stuckId + ", close after " + closeAfter + ", deadline " + deadlineMs + " ms)";
        }

        private void verify(final boolean drained)
        {
            assertTrue(violations.isEmpty(), () -> what() + ": " + violations);
            for (int id = 0; id < REQUESTS; id++)
            {
                final int id1 = id;
                assertEquals(accepted.get(id), replies.get(id), () -> what() + " replies of " + id1 + " (accepted=" +
                    accepted.get(id1) + ", runs=" + runs.get(id1) + ", error=" + errors.get(id1) + ")");
                final Throwable error = errors.get(id);
                if (error instanceof ClosedBeforeRunException)
                {
                    assertEquals(0, runs.get(id), () -> what() + " closed before it ran, yet ran: " + id1);
                }
                else if (error instanceof AbandonedByCloseException)
                {
                    assertEquals(1, runs.get(id), () -> what() + " abandoned while running, yet never ran: " + id1);
                }
                else if (null != error && !(error instanceof KeyBacklogFullException))
                {
                    throw new AssertionError(what() + " unexpected error for " + id + ": " + error);
                }
                else if (null == error && 1 == accepted.get(id))
                {
                    assertEquals(1, runs.get(id), () -> what() + " a result for a request that did not run: " + id1);
                }
            }
            if (drained)
            {
                assertTrue(errors.values().stream().allMatch(e -> e instanceof KeyBacklogFullException),
                    () -> what() + " drained in time, yet answered by the deadline: " + errors.size());
            }
            assertTrue(reported.stream().allMatch(t -> t instanceof WorkerStalledException),
                () -> what() + " reported " + reported.stream()
                    .filter(t -> !(t instanceof WorkerStalledException)).limit(5)
                    .collect(java.util.stream.Collectors.toList()));
        }
    }
}
