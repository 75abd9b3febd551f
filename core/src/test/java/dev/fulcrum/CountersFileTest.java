package dev.fulcrum;

import dev.fulcrum.stat.CountersFile;
import dev.fulcrum.stat.CountersLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The counters file as another process sees it, read here through {@link CountersFile} while the engine is stepped
 * by hand (INVOKER mode, manual workers, a manual watchdog on a clock the test moves): every counter is where the
 * layout says, with the value the engine's own {@code stats()} gives; the sampled ones (ring depth, time in task,
 * pool size) move with the watchdog's looks; errors are logged once per distinct error with their counts; the hot
 * keys name the busiest keys; the file is unique per balancer, marked closed on close and left readable.
 */
class CountersFileTest
{
    private static final long THRESHOLD_MS = 100;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final List<Balancer<?, ?>> balancers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException
    {
        for (final Balancer<?, ?> balancer : balancers)
        {
            balancer.closeNow();
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private <Q, R> Balancer<Q, R> stepped(final Task<Q, R> task, final int workers, final int maxPending)
    {
        final Balancer<Q, R> balancer = Balancer.builder(task)
            .workers(workers)
            .maxWorkers(workers + 1)
            .maxPendingPerWorker(maxPending)
            .ringSize(16)
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .errorHandler(t -> { })
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .countersDirectory(dir)
            .build();
        balancers.add(balancer);
        return balancer;
    }

    private CountersFile onlyFile() throws IOException
    {
        final List<Path> files = CountersFile.list(dir);
        assertEquals(1, files.size(), files::toString);
        return CountersFile.open(files.get(0));
    }

    /** The watchdog's next look: its tick is 5 ms at this threshold. */
    private void look(final Balancer<?, ?> balancer)
    {
        clock.advanceMs(5);
        balancer.watchdogInvoker().invoke();
    }

    static long value(final CountersFile file, final int typeId, final int worker)
    {
        final long[] found = {Long.MIN_VALUE};
        final int[] matches = {0};
        file.forEachCounter((id, type, w, label, value) ->
        {
            if (type == typeId && w == worker)
            {
                found[0] = value;
                matches[0]++;
            }
        });
        assertEquals(1, matches[0], () -> "one counter of type " + typeId + " for worker " + worker);
        return found[0];
    }

    static String label(final CountersFile file, final int typeId, final int rank)
    {
        final List<String> labels = new ArrayList<>();
        file.forEachCounter((id, type, w, label, value) ->
        {
            if (type == typeId)
            {
                labels.add(label);
            }
        });
        return labels.get(rank);
    }

    static long valueAt(final CountersFile file, final int typeId, final int rank)
    {
        final List<Long> values = new ArrayList<>();
        file.forEachCounter((id, type, w, label, value) ->
        {
            if (type == typeId)
            {
                values.add(value);
            }
        });
        return values.get(rank);
    }

    @Test
    @Timeout(60)
    void shouldKeepEveryCounterWhereTheLayoutSaysWithTheValuesStatsGives() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> 10 / q, 2, 8);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (final int q : new int[] {1, 2, 0, 5, 1, 0})
        {
            assertTrue(balancer.trySubmit(q, reply));
        }
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke();
        look(balancer);

        final CountersFile file = onlyFile();
        assertEquals(ProcessHandle.current().pid(), file.pid());
        assertTrue(file.path().getFileName().toString().startsWith("fulcrum-" + file.pid() + "-"), file::toString);
        assertEquals(CountersFile.Status.LIVE, file.status());
        assertEquals("leastLoaded", file.policy());
        assertEquals("INVOKER", file.threadingMode());
        assertEquals(3, file.maxWorkers());
        assertEquals(2, file.workers());
        final int stripes = Counters.refusedStripes(Runtime.getRuntime().availableProcessors());
        assertEquals(CountersLayout.BALANCER_COUNTERS + stripes + 2 * Counters.HOT_KEYS +
            3 * CountersLayout.WORKER_COUNTERS, file.counters());

        final BalancerStats stats = balancer.stats();
        assertEquals(6, stats.dispatched());
        assertEquals(6, value(file, CountersLayout.TYPE_DISPATCHED, -1));
        assertEquals(2, value(file, CountersLayout.TYPE_POOL_SIZE, -1), "two of three slots in the pool");
        assertEquals(0, value(file, CountersLayout.TYPE_RING_DEPTH, -1));
        for (int w = 0; w < 2; w++)
        {
            assertEquals(stats.completed(w), value(file, CountersLayout.TYPE_WORKER_COMPLETED, w));
            assertEquals(stats.failed(w), value(file, CountersLayout.TYPE_WORKER_FAILED, w));
            assertEquals(0, value(file, CountersLayout.TYPE_WORKER_PENDING, w));
            assertEquals(CountersLayout.WORKER_RUNNING, value(file, CountersLayout.TYPE_WORKER_STATE, w));
        }
        assertEquals(6, stats.totalCompleted());
        assertEquals(2, stats.totalFailed(), "the two divisions by zero");
        assertEquals(2, value(file, CountersLayout.TYPE_WORKER_FAILED, 0) +
            value(file, CountersLayout.TYPE_WORKER_FAILED, 1));
        assertEquals(CountersLayout.WORKER_GONE, value(file, CountersLayout.TYPE_WORKER_STATE, 2));
        assertEquals(CountersLayout.WORKER_GONE, WorkerStates.GONE);
        assertEquals(CountersLayout.WORKER_RUNNING, WorkerStates.RUNNING);
        assertEquals(CountersLayout.WORKER_LEAVING, WorkerStates.LEAVING);

        final List<String> labels = new ArrayList<>();
        file.forEachCounter((id, type, w, label, value) -> labels.add(id + " " + type + " " + w + " " + label));
        assertEquals("0 " + CountersLayout.TYPE_DISPATCHED + " -1 dispatched", labels.get(0));
        assertTrue(labels.contains((file.counters() - 1) + " " + CountersLayout.TYPE_WORKER_SERVICE_MAX +
            " 2 worker 2: service max ns"), labels::toString);
    }

    @Test
    @Timeout(60)
    void shouldFillTheFileFromTheLiveCountersOnEachLookWhileStatsReadsThemAtOnce() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 1, 8);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        look(balancer);
        final CountersFile file = onlyFile();
        assertTrue(balancer.trySubmit(1, reply));
        balancer.invoker().invoke();
        assertEquals(1, balancer.stats().dispatched(), "stats() reads the live counters");
        assertEquals(0, value(file, CountersLayout.TYPE_DISPATCHED, -1), "the file waits for the sampler's look");
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_PENDING, 0));
        look(balancer);
        assertEquals(1, value(file, CountersLayout.TYPE_DISPATCHED, -1), "and shows them after it");
        assertEquals(1, value(file, CountersLayout.TYPE_WORKER_PENDING, 0));
    }

    @Test
    @Timeout(60)
    void shouldShowWhatTheLatencyRecorderSetsInTheEightReservedCounters() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 2, 8);
        final CountersFile file = onlyFile();
        for (int i = 0; i < Counters.LATENCIES; i++)
        {
            assertEquals(0, value(file, CountersLayout.TYPE_WORKER_WAIT_P50 + i, 1), "0 until it is filled");
        }
        balancer.counters().latency(1, Counters.WAIT_P99, 1_234);
        balancer.counters().latency(1, Counters.SERVICE_MAX, 99_000);
        balancer.counters().publish(); // as the sampler does on each look
        assertEquals(1_234, value(file, CountersLayout.TYPE_WORKER_WAIT_P99, 1));
        assertEquals(99_000, value(file, CountersLayout.TYPE_WORKER_SERVICE_MAX, 1));
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_SERVICE_MAX, 0));
        assertEquals(1_234, balancer.counters().latency(1, Counters.WAIT_P99));
    }

    @Test
    @Timeout(60)
    void shouldShowEachLatencyIntervalsPercentilesInTheWorkersLatencyCounters() throws Exception
    {
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                java.util.concurrent.locks.LockSupport.parkNanos(q * 100_000L); // service times the task sets
                return q;
            })
            .workers(2)
            .maxWorkers(3)
            .ringSize(16)
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .latencyHistograms(true)
            .latencyInterval(Duration.ofMillis(10))
            .errorHandler(t -> { })
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .countersDirectory(dir)
            .build();
        balancers.add(balancer);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (final int q : new int[] {1, 2, 3, 4, 5, 6})
        {
            assertTrue(balancer.trySubmit(q, reply));
        }
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        balancer.workerInvoker(1).invoke();
        balancer.invoker().invoke();
        clock.advanceMs(20);
        balancer.watchdogInvoker().invoke(); // the watchdog ends the latency interval after its look
        balancer.counters().publish(); // which the next look copies into the file

        final CountersFile file = onlyFile();
        final BalancerStats stats = balancer.stats();
        for (int w = 0; w < 2; w++)
        {
            assertEquals(3, stats.latencyCount(w));
            assertTrue(stats.serviceNanos(w, 50) >= 100_000, () -> stats.toString());
            assertEquals(stats.waitNanos(w, 50), value(file, CountersLayout.TYPE_WORKER_WAIT_P50, w));
            assertEquals(stats.waitNanos(w, 99), value(file, CountersLayout.TYPE_WORKER_WAIT_P99, w));
            assertEquals(stats.waitNanos(w, 99.9), value(file, CountersLayout.TYPE_WORKER_WAIT_P999, w));
            assertEquals(stats.waitMaxNanos(w), value(file, CountersLayout.TYPE_WORKER_WAIT_MAX, w));
            assertEquals(stats.serviceNanos(w, 50), value(file, CountersLayout.TYPE_WORKER_SERVICE_P50, w));
            assertEquals(stats.serviceNanos(w, 99), value(file, CountersLayout.TYPE_WORKER_SERVICE_P99, w));
            assertEquals(stats.serviceNanos(w, 99.9), value(file, CountersLayout.TYPE_WORKER_SERVICE_P999, w));
            assertEquals(stats.serviceMaxNanos(w), value(file, CountersLayout.TYPE_WORKER_SERVICE_MAX, w));
        }
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_SERVICE_MAX, 2), "the slot not in the pool");
    }

    @Test
    @Timeout(60)
    void shouldCountRefusalsFromEveryThreadOnItsStripe() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 1, 8);
        final Recorder<Integer, Integer> reply = Recorder.synchronizedRecorder();
        for (int i = 0; i < 16; i++)
        {
            assertTrue(balancer.trySubmit(i, reply), "the ring holds 16");
        }
        final int threadCount = 4;
        final int refusalsEach = 1_000;
        for (int t = 0; t < threadCount; t++)
        {
            final Thread thread = new Thread(() ->
            {
                for (int i = 0; i < refusalsEach; i++)
                {
                    if (balancer.trySubmit(i, reply))
                    {
                        throw new AssertionError("accepted with the ring full");
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive());
        }
        assertFalse(balancer.trySubmitAll(List.of(1, 2), reply));

        final long expected = threadCount * refusalsEach + 1;
        assertEquals(expected, balancer.counters().refusedTotal());
        balancer.counters().publish();
        final CountersFile file = onlyFile();
        final long[] sum = {0};
        file.forEachCounter((id, type, w, label, value) -> sum[0] += CountersLayout.TYPE_REFUSED == type ? value : 0);
        assertEquals(expected, sum[0], "the stripes add up");
        look(balancer);
        assertEquals(16, value(file, CountersLayout.TYPE_RING_DEPTH, -1), "the ring is full and not taken from");
    }

    @Test
    @Timeout(60)
    void shouldSampleRingDepthAndTimeInTaskOnTheWatchdogsLooks() throws Exception
    {
        final StuckTask task = new StuckTask();
        final Balancer<String, String> balancer = stepped(task, 2, 4);
        final Recorder<String, String> reply = Recorder.synchronizedRecorder();
        StuckTask.submit(balancer, reply, StuckTask.STUCK, "a", "b");
        final CountersFile file = onlyFile();
        look(balancer);
        assertEquals(3, value(file, CountersLayout.TYPE_RING_DEPTH, -1), "claimed, not taken");

        balancer.invoker().invoke();
        look(balancer);
        assertEquals(0, value(file, CountersLayout.TYPE_RING_DEPTH, -1), "taken");
        assertEquals(2, value(file, CountersLayout.TYPE_WORKER_PENDING, 0), "stuck and b on worker 0");

        final Thread worker0 = new Thread(() -> balancer.workerInvoker(0).invoke(), "test-worker-0");
        threads.add(worker0);
        worker0.start();
        assertTrue(task.started.await(30, TimeUnit.SECONDS));
        look(balancer); // first sees worker 0 in its task
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_TIME_IN_TASK, 0));
        clock.advanceMs(40);
        balancer.watchdogInvoker().invoke();
        assertEquals(TimeUnit.MILLISECONDS.toNanos(40), value(file, CountersLayout.TYPE_WORKER_TIME_IN_TASK, 0));
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_TIME_IN_TASK, 1), "worker 1 is in no task");

        task.release.countDown();
        worker0.join(TimeUnit.SECONDS.toMillis(30));
        look(balancer);
        assertEquals(0, value(file, CountersLayout.TYPE_WORKER_TIME_IN_TASK, 0), "out of its task");
    }

    @Test
    @Timeout(60)
    void shouldLogEachDistinctErrorOnceWithItsCountAndTimes() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 1, 8);
        final Reply<Integer, Integer> throwing = Reply.of(
            (q, r) ->
            {
                throw q > 0 ? new IllegalStateException("reply failed for a positive request") :
                    new IllegalArgumentException("reply failed for request " + q);
            },
            (q, e) -> { });
        for (final int q : new int[] {1, 2, 3, -7})
        {
            assertTrue(balancer.trySubmit(q, throwing));
        }
        final long before = System.currentTimeMillis();
        balancer.invoker().invoke();
        balancer.workerInvoker(0).invoke();
        look(balancer);
        final long after = System.currentTimeMillis();

        final CountersFile file = onlyFile();
        final List<String> errors = new ArrayList<>();
        final int entries = file.forEachError((count, firstMs, lastMs, text) ->
        {
            assertTrue(before <= firstMs && firstMs <= lastMs && lastMs <= after, firstMs + " " + lastMs);
            errors.add(count + " " + text.lines().findFirst().orElse(""));
        });
        assertEquals(2, entries, errors::toString);
        assertEquals("3 java.lang.IllegalStateException: reply failed for a positive request", errors.get(0));
        assertEquals("1 java.lang.IllegalArgumentException: reply failed for request -7", errors.get(1));
        assertEquals(4, balancer.stats().totalReplyErrors());
        assertEquals(0, value(file, CountersLayout.TYPE_ERRORS_DROPPED, -1));
    }

    @Test
    @Timeout(60)
    void shouldCountErrorsTheFullQueueDropsAndLogTheRestWhenDrained() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 1, 8);
        final EngineFaults faults = balancer.balancerAgent().faults;
        final int extra = 5;
        for (int i = 0; i < ErrorLog.QUEUE_CAPACITY + extra; i++)
        {
            faults.report(new IllegalStateException("flood"));
        }
        balancer.counters().publish();
        final CountersFile file = onlyFile();
        assertEquals(extra, value(file, CountersLayout.TYPE_ERRORS_DROPPED, -1));
        look(balancer);
        final int[] observations = {0};
        assertEquals(1, file.forEachError((count, first, last, text) -> observations[0] = count));
        assertEquals(ErrorLog.QUEUE_CAPACITY, observations[0], "one distinct error, seen as often as it was queued");
    }

    @Test
    @Timeout(60)
    void shouldCountWhatAFullLogHasNoRoomForAndStillCountRepeats() throws Exception
    {
        final Counters counters = new Counters(dir, 1, 1, "leastLoaded", "DEDICATED", true);
        final String big = "x".repeat(64 * 1024);
        final List<IllegalStateException> errors = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            errors.add(new IllegalStateException(i + big)); // distinct: each message differs
        }
        errors.forEach(counters.errorLog()::offer);
        assertEquals(20, counters.errorLog().drain());
        counters.errorLog().offer(errors.get(0));
        assertEquals(1, counters.errorLog().drain());
        counters.publish();

        final CountersFile file = CountersFile.open(counters.file());
        final List<Integer> observations = new ArrayList<>();
        final int logged = file.forEachError((count, first, last, text) -> observations.add(count));
        assertTrue(logged > 10 && logged < 20, () -> "a 1 MiB log holds some 64 KiB errors, not all: " + logged);
        assertEquals(20 - logged, value(file, CountersLayout.TYPE_ERRORS_UNLOGGED, -1));
        assertEquals(2, observations.get(0), "a repeat of a logged error is counted even with the log full");
    }

    @Test
    @Timeout(60)
    void shouldNameTheHottestKeysAndClearThemOnceNoKeyIsInFlight() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 3, 2);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        for (int i = 0; i < 4; i++)
        {
            assertTrue(balancer.trySubmit(7, i, reply));
        }
        for (int i = 0; i < 3; i++)
        {
            assertTrue(balancer.trySubmit(-5, i, reply));
        }
        assertTrue(balancer.trySubmit(9, 0, reply));
        balancer.invoker().invoke();
        // key 7: 2 on worker 0 and 2 parked; key -5: 2 on worker 1, 1 parked; key 9 on worker 2
        balancer.balancerAgent().hotKeys.sample(); // the test's thread is the only one that runs cycles

        final CountersFile file = onlyFile();
        assertEquals("hot key in flight #1: key=7", label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 0));
        assertEquals(4, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 0));
        assertEquals("hot key in flight #2: key=-5", label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 1));
        assertEquals(3, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 1));
        assertEquals("hot key in flight #3: key=9", label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 2));
        assertEquals(1, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 2));
        assertEquals("hot key in flight #4: none", label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 3));
        assertEquals(0, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 3));
        assertEquals("hot key parked #1: key=7", label(file, CountersLayout.TYPE_HOT_KEY_PARKED, 0));
        assertEquals(2, valueAt(file, CountersLayout.TYPE_HOT_KEY_PARKED, 0));
        assertEquals("hot key parked #2: key=-5", label(file, CountersLayout.TYPE_HOT_KEY_PARKED, 1));
        assertEquals(1, valueAt(file, CountersLayout.TYPE_HOT_KEY_PARKED, 1));
        assertEquals("hot key parked #3: none", label(file, CountersLayout.TYPE_HOT_KEY_PARKED, 2));

        while (reply.count() < 8)
        {
            balancer.workerInvoker(0).invoke();
            balancer.workerInvoker(1).invoke();
            balancer.workerInvoker(2).invoke();
            balancer.invoker().invoke();
        }
        balancer.invoker().invoke();
        assertEquals(0, balancer.stats().keysInFlight());
        for (int r = 0; r < Counters.HOT_KEYS; r++)
        {
            assertEquals("hot key in flight #" + (r + 1) + ": none",
                label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, r),
                "cleared on the cycle that emptied the key table, with no sample asked for");
            assertEquals(0, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, r));
            assertEquals(0, valueAt(file, CountersLayout.TYPE_HOT_KEY_PARKED, r));
        }
    }

    @Test
    @Timeout(60)
    void shouldRewriteTheHotKeysLabelsWithoutAllocating() throws Exception
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean &&
            ((com.sun.management.ThreadMXBean)bean).isThreadAllocatedMemorySupported(),
            "skipped: needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        threads.setThreadAllocatedMemoryEnabled(true);
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 1, 4);
        final AllocationTest.CountingReply reply = new AllocationTest.CountingReply();
        final Integer request = 1;
        final CountersFile file = onlyFile();
        final int rounds = 20_000;
        long before = 0;
        for (int i = 0; i < 2 * rounds; i++)
        {
            if (i == rounds)
            {
                before = threads.getCurrentThreadAllocatedBytes(); // after a warm-up as long as the measure
            }
            assertTrue(balancer.trySubmit(i, request, reply)); // a new key every time: rank 1 changes its label
            balancer.invoker().invoke();
            balancer.balancerAgent().hotKeys.sample();
            balancer.workerInvoker(0).invoke();
            balancer.invoker().invoke(); // the table empties: every rank back to none, relabelled
        }
        final long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2 * rounds, reply.count);
        assertEquals("hot key in flight #1: none", label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 0));
        assertTrue(bytes < 16 * 1024, () -> rounds + " rounds of two label rewrites allocated " + bytes + " B");
    }

    @Test
    @Timeout(60)
    void shouldRefreshTheHottestKeysEveryIntervalOfCyclesOnItsOwn() throws Exception
    {
        final Balancer<Integer, Integer> balancer = stepped(q -> q, 2, 1);
        final Recorder<Integer, Integer> reply = new Recorder<>();
        assertTrue(balancer.trySubmit(42, 0, reply)); // to worker 0, which is never stepped: key 42 stays in flight
        final CountersFile file = onlyFile();
        int rounds = 0;
        while (!label(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 0).endsWith("key=42"))
        {
            // two duty cycles a round, each with something to do: dispatch to worker 1, then take its completion
            assertTrue(balancer.trySubmit(1, reply));
            assertTrue(balancer.invoker().invoke() > 0);
            balancer.workerInvoker(1).invoke();
            assertTrue(balancer.invoker().invoke() > 0);
            rounds++;
            final int done = rounds;
            assertTrue(rounds <= 4096 / 2, () -> "no refresh within 4096 cycles: rounds=" + done);
        }
        assertTrue(rounds >= 4096 / 2 - 1, "not before the interval: rounds=" + rounds);
        assertEquals(1, valueAt(file, CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, 0));
    }

    @Test
    @Timeout(60)
    void shouldMakeOneFilePerBalancerMarkItClosedOnCloseAndLeaveItReadable() throws Exception
    {
        final Balancer<Integer, Integer> first = stepped(q -> q, 1, 8);
        final Balancer<Integer, Integer> second = stepped(q -> q, 1, 8);
        final List<Path> files = CountersFile.list(dir);
        assertEquals(2, files.size(), files::toString);
        assertNotEquals(files.get(0), files.get(1));

        final Recorder<Integer, Integer> reply = new Recorder<>();
        assertTrue(first.trySubmit(3, reply));
        first.close();
        for (final Path path : files)
        {
            final CountersFile file = CountersFile.open(path);
            assertTrue(Files.exists(path));
            if (file.status() == CountersFile.Status.CLOSED)
            {
                assertTrue(file.closedTime().isPresent());
                assertEquals(1, value(file, CountersLayout.TYPE_WORKER_COMPLETED, 0), "close ran what it had");
                assertEquals(1, value(file, CountersLayout.TYPE_DISPATCHED, -1));
            }
            else
            {
                assertEquals(CountersFile.Status.LIVE, file.status());
                assertTrue(file.closedTime().isEmpty());
            }
        }
        second.close();
        for (final Path path : files)
        {
            assertEquals(CountersFile.Status.CLOSED, CountersFile.open(path).status());
        }
    }

    @Test
    @Timeout(60)
    void shouldTakeTheDirectoryFromThePropertyUnlessCodeSetsOne() throws Exception
    {
        final Path fromProperty = dir.resolve("from-property");
        final Path fromCode = dir.resolve("from-code");
        final String previous = System.getProperty(CountersFile.DIRECTORY_PROPERTY);
        System.setProperty(CountersFile.DIRECTORY_PROPERTY, fromProperty.toString());
        try (Balancer<Integer, Integer> byProperty = Balancer.builder((Integer q) -> q)
            .stallThreshold(Duration.ZERO)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .build();
            Balancer<Integer, Integer> byCode = Balancer.builder((Integer q) -> q)
                .stallThreshold(Duration.ZERO)
                .workerIdleStrategy(EngineTestSupport::backoff)
                .balancerIdleStrategy(EngineTestSupport::backoff)
                .countersDirectory(fromCode)
                .build())
        {
            assertEquals(1, CountersFile.list(fromProperty).size(), "the property turns it on with no code");
            assertEquals(1, CountersFile.list(fromCode).size(), "the builder's setting wins");
            assertEquals(fromProperty.resolve(CountersFile.list(fromProperty).get(0).getFileName()),
                byProperty.counters().file());
            assertEquals(byCode.counters().file(), CountersFile.list(fromCode).get(0));
            Await.until(() -> byCode.counters().balancer(Counters.POOL_SIZE) == 1,
                () -> "with stall detection off the sampler has a thread of its own for a file");
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(CountersFile.DIRECTORY_PROPERTY);
            }
            else
            {
                System.setProperty(CountersFile.DIRECTORY_PROPERTY, previous);
            }
        }
    }

    @Test
    void shouldRefuseBadDirectoriesNamingThem() throws Exception
    {
        final NullPointerException none = assertThrows(NullPointerException.class,
            () -> Balancer.builder((Integer q) -> q).countersDirectory(null));
        assertEquals("countersDirectory must not be null: countersDirectory=null", none.getMessage());

        final Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        final IllegalStateException file = assertThrows(IllegalStateException.class,
            () -> Balancer.builder((Integer q) -> q).countersDirectory(notADirectory).build());
        assertTrue(file.getMessage().contains("countersDirectory=" + notADirectory), file::getMessage);

        final String previous = System.getProperty(CountersFile.DIRECTORY_PROPERTY);
        System.setProperty(CountersFile.DIRECTORY_PROPERTY, "bad\u0000path");
        try
        {
            final IllegalArgumentException property = assertThrows(IllegalArgumentException.class,
                () -> Balancer.builder((Integer q) -> q).build());
            assertTrue(property.getMessage().contains("fulcrum.counters.dir=bad\u0000path"), property::getMessage);
        }
        finally
        {
            if (null == previous)
            {
                System.clearProperty(CountersFile.DIRECTORY_PROPERTY);
            }
            else
            {
                System.setProperty(CountersFile.DIRECTORY_PROPERTY, previous);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> CountersFile.open(notADirectory));
    }

    @Test
    void shouldKeepCountersInMemoryInTheSameLayoutWithNoDirectory()
    {
        final Counters counters = new Counters(3);
        assertNull(counters.file());
        counters.worker(2, Counters.COMPLETED, 5);
        counters.balancerView(2, Counters.WORKER_STATE, WorkerStates.LEAVING);
        counters.balancer(Counters.DISPATCHED, 9);
        counters.timeInTask(1, 77);
        assertEquals(5, counters.worker(2, Counters.COMPLETED));
        assertEquals(0, counters.worker(1, Counters.COMPLETED));
        assertEquals(WorkerStates.LEAVING, counters.balancerView(2, Counters.WORKER_STATE));
        assertEquals(9, counters.balancer(Counters.DISPATCHED));
        assertEquals(77, counters.timeInTask(1));
        counters.errorLog().offer(new IllegalStateException("not queued: nobody drains it"));
        assertTrue(counters.errorLog().isEmpty());
    }

    @Test
    void shouldWriteDecimalsWithoutAllocatingAnyString()
    {
        final byte[] into = new byte[32];
        for (final long v : new long[] {0, 7, -5, 42, 1_000_000, Long.MAX_VALUE, Long.MIN_VALUE})
        {
            final int end = HotKeys.putDecimal(into, 3, v);
            assertEquals(Long.toString(v), new String(into, 3, end - 3, java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals(2, Counters.refusedStripes(1));
        assertEquals(4, Counters.refusedStripes(2));
        assertEquals(16, Counters.refusedStripes(5));
        assertEquals(64, Counters.refusedStripes(1000));
    }
}
