package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5, counted rather than timed: after warm-up, the submitting thread, the balancer and the workers
 * allocate (next to) nothing per request on the callback path, keyed or not. Bytes come from the JVM's per-thread
 * allocation counters (com.sun.management.ThreadMXBean), which count every TLAB and outside-TLAB allocation.
 */
class AllocationTest
{
    private static final int WARMUP = 300_000;
    private static final int MEASURED = 300_000;
    /** Far below one byte per request; leaves room for a one-off allocation inside the JDK or a library. */
    private static final long BUDGET_BYTES = 16 * 1024;

    /** A reply that only counts: what a real requester's reused reply object does, minus the business. */
    static final class CountingReply implements Reply<Integer, Integer>
    {
        volatile long count;

        @Override
        public void onResult(final Integer request, final Integer result)
        {
            count++; // one worker only in these tests, so this single writer needs no atomic
        }

        @Override
        public void onError(final Integer request, final Throwable error)
        {
            count++;
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyState(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), false, null, null);
    }

    /**
     * The same with every setting the machine chooses left to it (the threading mode; adaptive binding, on in every
     * test here, with its timed tasks and the balancer's looks at them).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateWithTheMachinesDefaults(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), false, null, null, null);
    }

    /**
     * SHARED named, whatever the machine: worker 0's direct hand-off on the balancer's thread.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateShared(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), false, null, null, ThreadingMode.SHARED);
    }

    /**
     * The same with latency histograms on: the submit stamp, the worker's stamps and records, and the watchdog
     * ending an interval every 10 ms (so that intervals end while the requests are counted, checked), with
     * request sampling for JFR set and no recording running.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateWithLatencyHistogramsOn(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), true, null, null);
    }

    @Test
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateWithAPolicyThatTimesEachRequest()
    {
        measure(false, Policy.peakEwma(), false, null, null); // the balancer's stamps, the chooser's samples and its scan
    }

    @TempDir
    Path countersDirectory;

    /**
     * The same with a counters file, and latency histograms on so that each interval also writes the file's latency
     * counters: the counters, the hot keys the balancer samples and the watchdog's sampler allocate nothing either.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateWithACountersFile(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), true, countersDirectory, null);
    }

    /**
     * The same with the one worker a remote one, behind a link that answers each request at its next poll from
     * preallocated arrays: the remote worker's agent (ids, slots, replies, hand-backs) allocates nothing.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(120)
    void shouldAllocateNothingPerRequestInSteadyStateOnARemoteWorker(final boolean keyed)
    {
        measure(keyed, Policy.leastLoaded(), false, null, new LoopbackLink());
    }

    /** Answers at its next poll whatever it was sent, with the request as the result; no allocation. */
    static final class LoopbackLink implements WorkerLink<Integer, Integer>
    {
        private final long[] ids = new long[64];
        private final Integer[] requests = new Integer[64];
        private int head;
        private int tail;

        @Override
        public int send(final long id, final Integer request)
        {
            if (tail - head == ids.length)
            {
                return FULL;
            }
            ids[tail & 63] = id;
            requests[tail & 63] = request;
            tail++;
            return SENT;
        }

        @Override
        public int poll(final Replies<? super Integer> replies)
        {
            final int n = tail - head;
            while (head != tail)
            {
                final Integer request = requests[head & 63];
                requests[head & 63] = null;
                replies.onResult(ids[head & 63], request);
                head++;
            }
            return n;
        }

        @Override
        public boolean isAlive(final long nowNs)
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * @param countersDirectory where the counters file goes, or null for none.
     * @param remote            the only worker's link (a remote worker), or null for a local worker.
     */
    private static void measure(
        final boolean keyed,
        final Policy policy,
        final boolean latency,
        final Path countersDirectory,
        final WorkerLink<Integer, Integer> remote)
    {
        measure(keyed, policy, latency, countersDirectory, remote, ThreadingMode.DEDICATED);
    }

    /**
     * @param mode the threading mode, or null for the one the machine's default gives (SHARED for this one worker
     *             under 3 processors): 2 engine threads in SHARED (balancer and worker 0 on one), 3 otherwise.
     */
    private static void measure(
        final boolean keyed,
        final Policy policy,
        final boolean latency,
        final Path countersDirectory,
        final WorkerLink<Integer, Integer> remote,
        final ThreadingMode mode)
    {
        final com.sun.management.ThreadMXBean threads = threadBean();
        final List<Thread> engineThreads = new CopyOnWriteArrayList<>();
        final Integer[] requests = new Integer[256];
        for (int i = 0; i < requests.length; i++)
        {
            requests[i] = i;
        }
        final CountingReply reply = new CountingReply();
        final BalancerBuilder<Integer, Integer> builder = Balancer.builder((Integer q) -> q);
        if (null != countersDirectory)
        {
            builder.countersDirectory(countersDirectory);
        }
        if (null != remote)
        {
            builder.maxWorkers(1);
        }
        if (null != mode)
        {
            builder.threadingMode(mode);
        }
        try (Balancer<Integer, Integer> balancer = builder
            .workers(null == remote ? 1 : 0)
            .ringSize(1024)
            .policy(policy)
            .balancerIdleStrategy(YieldingIdleStrategy::new)
            .workerIdleStrategy(() -> new BackoffIdleStrategy(50, 10, 1_000, 50_000))
            .latencyHistograms(latency)
            .latencyInterval(Duration.ofMillis(10))
            .jfrRequestSampling(latency ? 64 : 0)
            .threadFactory(r ->
            {
                final Thread t = new Thread(r);
                engineThreads.add(t);
                return t;
            })
            .build())
        {
            if (null != remote)
            {
                balancer.addWorker(remote);
            }
            run(balancer, reply, requests, WARMUP, keyed);
            Await.until(() -> reply.count == WARMUP, () -> "warm-up replies " + reply.count);
            final boolean shared = ThreadingMode.SHARED == (null != mode ? mode :
                EngineDefaults.threadingMode(Runtime.getRuntime().availableProcessors(), 1, 1, true));
            assertEquals(shared ? 2 : 3, engineThreads.size(), "balancer, worker and watchdog");

            final long[] before = new long[engineThreads.size()];
            for (int i = 0; i < before.length; i++)
            {
                before[i] = threads.getThreadAllocatedBytes(engineThreads.get(i).getId());
            }
            final long intervalsBefore = intervalsEnded(balancer);
            final long submitterBefore = threads.getCurrentThreadAllocatedBytes();
            run(balancer, reply, requests, MEASURED, keyed);
            final long submitterBytes = threads.getCurrentThreadAllocatedBytes() - submitterBefore;
            Await.until(() -> reply.count == WARMUP + MEASURED, () -> "replies " + reply.count);
            final long intervals = intervalsEnded(balancer) - intervalsBefore;

            final StringBuilder report = new StringBuilder("submitter=" + submitterBytes + " B");
            long engineBytes = 0;
            for (int i = 0; i < before.length; i++)
            {
                final long bytes = threads.getThreadAllocatedBytes(engineThreads.get(i).getId()) - before[i];
                report.append(", ").append(engineThreads.get(i).getName()).append('=').append(bytes).append(" B");
                engineBytes += bytes;
            }
            System.out.println("allocation over " + MEASURED + (keyed ? " keyed" : "") + " requests, " + policy +
                (latency ? ", latency histograms, " + intervals + " intervals ended" : "") +
                (null != countersDirectory ? ", a counters file" : "") + (null != remote ? ", a remote worker" : "") + ": " +
                report);
            if (latency)
            {
                assertTrue(intervals > 0, "the watchdog ended latency intervals while the requests were counted");
            }
            assertTrue(submitterBytes < BUDGET_BYTES, report::toString);
            assertTrue(engineBytes < BUDGET_BYTES, report::toString);
        }
    }

    private static void run(
        final Balancer<Integer, Integer> balancer,
        final CountingReply reply,
        final Integer[] requests,
        final int count,
        final boolean keyed)
    {
        for (int i = 0; i < count; i++)
        {
            final Integer request = requests[i & (requests.length - 1)];
            if (keyed)
            {
                balancer.submit(i & 63, request, reply);
            }
            else
            {
                balancer.submit(request, reply);
            }
        }
    }

    private static long intervalsEnded(final Balancer<Integer, Integer> balancer)
    {
        final LatencyIntervals intervals = balancer.latencyIntervals();
        return null == intervals ? 0 : intervals.figures().publications(0);
    }

    private static com.sun.management.ThreadMXBean threadBean()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's ThreadMXBean");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation not supported");
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }
}
