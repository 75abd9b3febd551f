package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stall detection and what it moves, stepped: the balancer, the watchdog (on a hand-moved clock) and worker 1 run
 * on the test thread; worker 0 runs on a thread of the test's own only while it is stuck in a task, so every step
 * is exact.
 */
class StallSteppingTest
{
    private static final long THRESHOLD_MS = 100;
    private static final String STUCK = StuckTask.STUCK;

    private final ManualClock clock = new ManualClock();
    private final StuckTask task = new StuckTask();
    private final CountDownLatch stuckStarted = task.started;
    private final CountDownLatch release = task.release;
    /** Requests in the order they ran, with the worker thread that ran them. */
    private final List<String> ran = task.ran;
    private final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
    private final Recorder<String, String> reply = Recorder.synchronizedRecorder();
    private Balancer<String, String> balancer;
    private Thread worker0;

    @AfterEach
    void close() throws InterruptedException
    {
        release.countDown();
        if (null != worker0)
        {
            worker0.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (null != balancer)
        {
            balancer.close();
        }
    }

    private void build(final Policy policy, final int maxPending, final int maxParked)
    {
        balancer = Balancer.builder(task)
            .workers(2)
            .maxPendingPerWorker(maxPending)
            .maxParked(maxParked)
            .ringSize(64)
            .policy(policy)
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .errorHandler(reported::add)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .build();
    }

    private void submit(final String... requests)
    {
        StuckTask.submit(balancer, reply, requests);
    }

    private void submit(final long key, final String... requests)
    {
        StuckTask.submit(balancer, reply, key, requests);
    }

    private void stepBalancer()
    {
        balancer.invoker().invoke();
    }

    private int stepWorker1()
    {
        return balancer.workerInvoker(1).invoke();
    }

    /** Worker 0 takes its queue on a thread of its own and sticks in the stuck task. */
    private void startWorker0Stuck() throws InterruptedException
    {
        worker0 = new Thread(() -> balancer.workerInvoker(0).invoke(), "test-worker-0");
        worker0.start();
        assertTrue(stuckStarted.await(30, TimeUnit.SECONDS));
    }

    /** Let the watchdog see worker 0 in its task, then see it still there past the threshold. */
    private void passThreshold()
    {
        balancer.watchdogInvoker().invoke();
        clock.advanceMs(THRESHOLD_MS - 1);
        balancer.watchdogInvoker().invoke();
        assertFalse(balancer.stats().stalled(0), "not before the threshold");
        clock.advanceMs(10);
        balancer.watchdogInvoker().invoke();
    }

    private void releaseWorker0() throws InterruptedException
    {
        release.countDown();
        worker0.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(worker0.isAlive());
        worker0 = null;
        clock.advanceMs(10);
        balancer.watchdogInvoker().invoke(); // sees worker 0 out of its task: recovered
    }

    @Test
    @Timeout(60)
    void shouldMoveQueuedWorkOffAStalledWorkerAndReportItOnce() throws Exception
    {
        build(Policy.leastLoaded(), 4, 8);
        // least loaded, ties to the lowest: worker 0 takes stuck, r2, r4, r6; worker 1 takes r1, r3, r5, r7
        submit(STUCK, "r1", "r2", "r3", "r4", "r5", "r6", "r7");
        stepBalancer();
        startWorker0Stuck();

        passThreshold();
        assertEquals(1, reported.size(), "reported once");
        final WorkerStalledException stall = assertInstanceOf(WorkerStalledException.class, reported.get(0));
        assertTrue(stall.getMessage().contains("fulcrum-worker-0"), stall.getMessage());
        balancer.watchdogInvoker().invoke();
        clock.advanceMs(THRESHOLD_MS * 3);
        balancer.watchdogInvoker().invoke();
        assertEquals(1, reported.size(), "a stall is reported once, however long it lasts");

        stepBalancer();
        BalancerStats stats = balancer.stats();
        assertTrue(stats.stalled(0));
        assertEquals(1, stats.stalls(0));
        assertEquals(3, stats.moved(0), "r2, r4, r6 had not started");

        stepWorker1();
        stepBalancer(); // worker 1's completions make room for the moved requests
        stepWorker1();
        assertEquals(List.of("r1", "r3", "r5", "r7", "r2", "r4", "r6"), ran, "moved work runs on worker 1, in order");

        submit("r8");
        stepBalancer();
        stepWorker1();
        assertEquals("r8", ran.get(ran.size() - 1), "a stalled worker is chosen no more");

        releaseWorker0();
        stepBalancer();
        stats = balancer.stats();
        assertFalse(stats.stalled(0), "back in rotation once its task ended");
        assertEquals(List.of("r1", "r3", "r5", "r7", "r2", "r4", "r6", "r8", STUCK), ran, "nothing ran twice");
        assertEquals(9, reply.count());
        assertEquals(0, stats.totalPending());
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs(), "every job back");

        submit("r9", "r10");
        stepBalancer();
        assertEquals(1, balancer.stats().pending(0), "worker 0 takes work again");
    }

    @Test
    @Timeout(60)
    void shouldMoveAKeyWholeAndInOrderAndKeepAKeyWithARequestRunning() throws Exception
    {
        build(Policy.leastLoaded(), 4, 8);
        final long k = 1;
        final long j = 2;
        submit(k, STUCK + "-k1");   // worker 0
        submit("f1");               // worker 1
        submit(j, "j1");            // tie: worker 0
        submit(j, "j2");            // sticky: worker 0
        submit(k, "k2");            // sticky: worker 0, now full
        submit(j, "j3");            // parked behind worker 0
        submit(k, "k3");            // parked behind worker 0
        stepBalancer();
        assertEquals(4, balancer.stats().pending(0));
        assertEquals(2, balancer.stats().parked());
        startWorker0Stuck();

        passThreshold();
        stepBalancer();
        assertEquals(4, balancer.stats().moved(0), "j1, j2 and parked j3 moved; k2 copied back in front of k3");

        stepWorker1();
        assertEquals(List.of("f1", "j1", "j2", "j3"), ran, "key j moved whole, in order, to worker 1");
        assertEquals(0, reply.errors.size());

        releaseWorker0();
        stepBalancer();
        balancer.workerInvoker(0).invoke();
        stepBalancer();
        balancer.workerInvoker(0).invoke();
        assertEquals(List.of("f1", "j1", "j2", "j3", STUCK + "-k1", "k2", "k3"), ran,
            "key k stayed on worker 0, in order, behind its running request");
        stepBalancer();
        assertEquals(7, reply.count());
        assertEquals(0, balancer.stats().keysInFlight());
        assertEquals(0, balancer.stats().parked());
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs(), "every job back");
    }

    @Test
    @Timeout(60)
    void shouldAnswerAStalledKeysBacklogPastHalfOfParkingWhileOtherKeysFlow() throws Exception
    {
        build(Policy.leastLoaded(), 1, 4);
        final long k = 1;
        submit(k, STUCK);
        stepBalancer();
        startWorker0Stuck();
        passThreshold();
        stepBalancer();
        assertTrue(balancer.stats().stalled(0));

        submit(k, "k2", "k3", "k4", "k5");
        stepBalancer();
        assertEquals(2, balancer.stats().parked(), "half of maxParked=4 for a key whose worker is stalled");
        assertEquals(List.of("k4", "k5"), reply.errors);
        assertInstanceOf(KeyBacklogFullException.class, reply.causes.get(0));
        assertEquals(2, balancer.stats().keyBacklogRejected());

        for (int i = 0; i < 10; i++)
        {
            submit(100 + i, "other" + i);
            stepBalancer();
            stepWorker1();
        }
        stepBalancer();
        assertEquals(10, reply.results.size(), "other keys keep flowing past the stuck one");

        releaseWorker0();
        for (int i = 0; i < 4; i++)
        {
            stepBalancer();
            balancer.workerInvoker(0).invoke();
        }
        stepBalancer();
        assertEquals(List.of(STUCK, "k2", "k3"), ran.subList(10, 13));
        assertEquals(15, reply.count(), "one reply each: 13 results and 2 errors");
    }

    @Test
    @Timeout(60)
    void shouldAnswerPastMaxParkedPerKeyWithoutAStall()
    {
        balancer = Balancer.<String, String>builder(q ->
            {
                ran.add(q);
                return q;
            })
            .workers(2).maxPendingPerWorker(1).maxParked(8).maxParkedPerKey(2).ringSize(16)
            .threadingMode(ThreadingMode.INVOKER).manualWorkers().build();
        submit(7, "a1", "a2", "a3", "a4");
        submit(8, "b1");
        stepBalancer();
        assertEquals(List.of("a4"), reply.errors,
            "a1 on worker 0, a2 and a3 parked behind it, a4 past the key's bound; b1 on worker 1");
        assertInstanceOf(KeyBacklogFullException.class, reply.causes.get(0));
        stepWorker1();
        for (int i = 0; i < 3; i++)
        {
            balancer.workerInvoker(0).invoke();
            stepBalancer();
        }
        assertEquals(List.of("b1", "a1", "a2", "a3"), ran);
        assertEquals(5, reply.count());
        assertEquals(1, balancer.stats().keyBacklogRejected());
    }
}
