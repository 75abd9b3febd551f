package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers added and removed while the balancer runs, stepped: the balancer and the workers on the test thread
 * (one worker on a thread of the test's own while it is stuck in a task), so every step is exact.
 */
class ElasticPoolSteppingTest
{
    private static final String STUCK = StuckTask.STUCK;

    private final StuckTask task = new StuckTask();
    private final CountDownLatch stuckStarted = task.started;
    private final CountDownLatch release = task.release;
    private final List<String> ran = task.ran;
    /** Which worker ran each request, by the thread's role: filled by the task. */
    private final List<String> ranOn = Collections.synchronizedList(new ArrayList<>());
    private final Recorder<String, String> reply = Recorder.synchronizedRecorder();
    private Balancer<String, String> balancer;
    private Thread stuckWorker;

    static List<Policy> policies()
    {
        return PolicyContractTest.policies().map(a -> (Policy)a.get()[0]).collect(java.util.stream.Collectors.toList());
    }

    @AfterEach
    void close() throws InterruptedException
    {
        release.countDown();
        if (null != stuckWorker)
        {
            stuckWorker.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (null != balancer)
        {
            balancer.close();
        }
    }

    private void build(final Policy policy, final int workers, final int maxWorkers, final int maxPending)
    {
        build(policy, workers, maxWorkers, maxPending, maxWorkers * maxPending);
    }

    private void build(
        final Policy policy, final int workers, final int maxWorkers, final int maxPending, final int maxParked)
    {
        balancer = Balancer.builder(task)
            .workers(workers)
            .maxWorkers(maxWorkers)
            .maxPendingPerWorker(maxPending)
            .maxParked(maxParked)
            .ringSize(64)
            .policy(policy)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
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

    private void step()
    {
        balancer.invoker().invoke();
    }

    private void stepAll()
    {
        for (int round = 0; round < 8; round++)
        {
            step();
            for (int w = 0; w < balancer.maxWorkers(); w++)
            {
                if (w != stuckIndex)
                {
                    balancer.workerInvoker(w).invoke();
                }
            }
        }
        step();
    }

    private int stuckIndex = -1;

    @ParameterizedTest
    @MethodSource("policies")
    @Timeout(60)
    void shouldAddAWorkerThatTheNextDispatchesReach(final Policy policy)
    {
        build(policy, 2, 3, 1);
        assertEquals(2, balancer.workers());
        assertEquals(WorkerState.GONE, balancer.stats().state(2));
        submit("a", "b", "c");
        step();
        assertEquals(0, balancer.stats().pending(2), "a slot with no worker takes nothing");

        assertEquals(2, balancer.addWorker());
        assertEquals(3, balancer.workers());
        step();
        assertEquals(WorkerState.RUNNING, balancer.stats().state(2));
        assertEquals(1, balancer.stats().pending(2), "the added worker takes the request that was waiting");
        stepAll();
        assertEquals(3, reply.results.size());
        assertThrows(IllegalStateException.class, () -> balancer.addWorker(), "at maxWorkers");
    }

    @ParameterizedTest
    @MethodSource("policies")
    @Timeout(60)
    void shouldRemoveAWorkerMovingWhatItHadNotStartedAndReuseItsSlot(final Policy policy) throws Exception
    {
        final int maxPending = policy.name().equals("joinIdleQueue") ? 1 : 2;
        build(policy, 3, 3, maxPending);
        final int n = 3 * maxPending;
        for (int i = 0; i < n; i++)
        {
            submit("r" + i);
        }
        step();
        assertEquals(maxPending, balancer.stats().pending(1));

        final CompletableFuture<Void> removed = balancer.removeWorker(1);
        assertEquals(2, balancer.workers());
        step();
        assertEquals(WorkerState.LEAVING, balancer.stats().state(1));
        assertFalse(removed.isDone(), "its queue still holds the revoked jobs");
        stepAll();
        Await.until(removed::isDone, () -> "removal " + balancer.stats());
        assertEquals(WorkerState.GONE, balancer.stats().state(1));
        assertEquals(n, reply.results.size(), "every request replied once");
        assertEquals(n, ran.size(), "none ran twice");
        assertEquals(maxPending, balancer.stats().moved(1), "what worker 1 had not started moved");
        assertEquals(0, balancer.stats().completed(1));

        submit("x", "y");
        stepAll();
        assertEquals(0, balancer.stats().pending(1));
        assertEquals(0, balancer.stats().completed(1), "a gone worker is chosen no more");

        assertEquals(1, balancer.addWorker(), "the freed slot is reused");
        step();
        assertEquals(WorkerState.RUNNING, balancer.stats().state(1));
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs(), "every job back");
    }

    @Test
    @Timeout(60)
    void shouldKeepAKeyOnALeavingWorkerUntilItsRunningRequestCompletesThenMoveItsRestInOrder() throws Exception
    {
        build(Policy.leastLoaded(), 2, 2, 2, 8); // a leaving worker's key may park maxParked / 2 = 4
        final long k = 9;
        submit(k, STUCK + "-k1");   // worker 0
        submit("f1");               // worker 1
        submit(k, "k2");            // sticky: worker 0, now full
        submit(k, "k3");            // parked behind worker 0
        step();
        assertEquals(2, balancer.stats().pending(0));
        assertEquals(1, balancer.stats().parked());
        stuckIndex = 0;
        stuckWorker = new Thread(() -> balancer.workerInvoker(0).invoke(), "test-worker-0");
        stuckWorker.start();
        assertTrue(stuckStarted.await(30, TimeUnit.SECONDS));

        final CompletableFuture<Void> removed = balancer.removeWorker(0);
        stepAll();
        assertEquals(WorkerState.LEAVING, balancer.stats().state(0));
        assertEquals(List.of("f1"), ran, "k2 and k3 wait behind k1, running on the leaving worker");
        submit(k, "k4");
        submit("u1");
        stepAll();
        assertEquals(List.of("f1", "u1"), ran, "new work of other keys goes to worker 1; k4 waits with its key");
        assertFalse(removed.isDone());

        release.countDown();
        stuckWorker.join(TimeUnit.SECONDS.toMillis(30));
        stuckWorker = null;
        stuckIndex = -1;
        stepAll();
        Await.until(removed::isDone, () -> "removal " + balancer.stats());
        assertEquals(List.of("f1", "u1", STUCK + "-k1", "k2", "k3", "k4"), ran,
            "the key's running request finished on the leaving worker; the rest followed it, in order");
        assertEquals(6, reply.results.size());
        assertEquals(0, balancer.stats().keysInFlight());
        assertEquals(WorkerState.GONE, balancer.stats().state(0));
    }

    @Test
    void shouldRefuseRemovalsThatCannotBeHonoured()
    {
        build(Policy.leastLoaded(), 2, 3, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> balancer.removeWorker(3))
            .getMessage().contains("worker=3"));
        assertTrue(assertThrows(IllegalStateException.class, () -> balancer.removeWorker(2))
            .getMessage().contains("state=GONE"));
        balancer.removeWorker(1);
        assertTrue(assertThrows(IllegalStateException.class, () -> balancer.removeWorker(1))
            .getMessage().contains("state=LEAVING"));
        assertTrue(assertThrows(IllegalStateException.class, () -> balancer.removeWorker(0))
            .getMessage().contains("last worker"));
    }

    @Test
    void shouldRefuseToRemoveWorkerZeroInSharedMode()
    {
        try (Balancer<String, String> shared = Balancer.<String, String>builder(q -> q)
            .workers(2).threadingMode(ThreadingMode.SHARED).build())
        {
            assertTrue(assertThrows(IllegalStateException.class, () -> shared.removeWorker(0))
                .getMessage().contains("SHARED"));
        }
    }
}
