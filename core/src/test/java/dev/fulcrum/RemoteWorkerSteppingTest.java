package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.util.Arrays.asList;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote workers ({@link WorkerLink}), stepped on the test thread: the balancer (INVOKER), the remote worker's
 * agent and a local worker, each invoked by hand, with the far end played by {@link FakeWorkerLink}, so that every
 * step of sending, answering, back pressure and loss is exact.
 */
class RemoteWorkerSteppingTest
{
    /** A deadline close logs a warning on purpose: kept off the build's console. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final LogCapture deadlineLog = new LogCapture();

    private final FakeWorkerLink link = new FakeWorkerLink();
    private final Recorder<String, String> reply = new Recorder<>();
    private final List<Throwable> reported = new ArrayList<>();
    private Balancer<String, String> balancer;

    @AfterEach
    void close()
    {
        if (null != balancer && !balancer.isClosed())
        {
            balancer.close(Duration.ofMillis(10)); // what a test left in flight is answered at the deadline
        }
    }

    /**
     * @param maxWorkers slots; no local worker at build: the remote one is worker 0, a local one added later 1.
     */
    private void build(final int maxWorkers, final int maxPending)
    {
        balancer = Balancer.<String, String>builder(r -> r + "@local")
            .workers(0)
            .maxWorkers(maxWorkers)
            .maxPendingPerWorker(maxPending)
            .ringSize(64)
            .threadingMode(ThreadingMode.INVOKER)
            .errorHandler(reported::add)
            .manualWorkers()
            .build();
        assertEquals(0, balancer.addWorker(link));
    }

    private void submit(final String... requests)
    {
        for (final String r : requests)
        {
            assertTrue(balancer.trySubmit(r, reply));
        }
    }

    private void submit(final long key, final String... requests)
    {
        for (final String r : requests)
        {
            assertTrue(balancer.trySubmit(key, r, reply));
        }
    }

    private void step()
    {
        balancer.invoker().invoke();
    }

    private void stepRemote()
    {
        balancer.workerInvoker(0).invoke();
    }

    private void stepAll()
    {
        for (int round = 0; round < 6; round++)
        {
            step();
            for (int w = 0; w < balancer.maxWorkers(); w++)
            {
                balancer.workerInvoker(w).invoke();
            }
        }
        step();
    }

    @Test
    @Timeout(30)
    void shouldSendWhatIsDispatchedAndReplyWithWhatComesBack()
    {
        build(1, 8);
        submit("a", "b", "c");
        step();
        assertEquals(3, balancer.stats().pending(0));
        stepRemote();
        assertEquals(asList("a", "b", "c"), link.sentLog);
        assertEquals(1, link.started);
        assertEquals(0, reply.count());

        link.answer(2);
        stepRemote();
        assertEquals(asList("a", "b"), reply.results);
        assertEquals(asList("a@remote", "b@remote"), reply.values);
        step();
        assertEquals(1, balancer.stats().pending(0));

        link.answer(1);
        stepAll();
        assertEquals(asList("a", "b", "c"), reply.results);
        assertEquals(0, balancer.stats().pending(0));
        assertEquals(3, balancer.stats().completed(0));
        assertTrue(reported.isEmpty(), reported::toString);
    }

    @Test
    @Timeout(30)
    void shouldBoundWhatIsInFlightOnTheRemoteWorkerByMaxPending()
    {
        build(1, 2);
        submit("a", "b", "c", "d");
        stepAll();
        assertEquals(asList("a", "b"), link.sentLog);
        link.answer(1);
        stepAll();
        assertEquals(asList("a", "b", "c"), link.sentLog);
    }

    @Test
    @Timeout(30)
    void shouldRetryTheSameRequestWhileTheLinkIsFullAndSendNothingElseMeanwhile()
    {
        build(1, 8);
        link.full = true;
        submit("a", "b");
        stepAll();
        assertTrue(link.sentLog.isEmpty());
        link.full = false;
        stepRemote();
        assertEquals(asList("a", "b"), link.sentLog);
        link.answer(2);
        stepAll();
        assertEquals(asList("a", "b"), reply.results);
    }

    @Test
    @Timeout(30)
    void shouldDropARepeatedLateOrMadeUpReplyAndCountIt()
    {
        build(1, 8);
        submit("a", "b");
        stepAll();
        final long a = link.answer(1).get(0);
        link.deliver(a, "again");        // the same id twice
        link.deliver(12345L, "made up"); // no such id
        link.deliver(0L, "zero");
        stepAll();
        assertEquals(asList("a"), reply.results);
        assertEquals(asList("a@remote"), reply.values);
        assertEquals(3, balancer.remoteAgent(0).unknownReplies());

        link.answer(1);
        stepAll();
        assertEquals(asList("a", "b"), reply.results);
        link.deliver(a, "after the slot was reused");
        stepAll();
        assertEquals(2, reply.count());
        assertEquals(4, balancer.remoteAgent(0).unknownReplies());
    }

    @Test
    @Timeout(30)
    void shouldDeliverARemoteFailureToTheReply()
    {
        build(1, 8);
        submit("a");
        stepAll();
        final long id = (Long)link.sent.poll()[0];
        final IllegalStateException failure = new IllegalStateException("far end says no");
        link.deliver(id, failure);
        stepAll();
        assertEquals(asList("a"), reply.errors);
        assertEquals(failure, reply.causes.get(0));
        assertEquals(1, balancer.stats().failed(0));
    }

    @Test
    @Timeout(30)
    void shouldAnswerWhatWasInFlightWithWorkerLostAndMoveWhatWasNotSent()
    {
        build(2, 8);
        submit("a", "b");
        stepAll();                        // a and b sent
        link.full = true;
        submit("c", "d", "e");
        stepAll();                        // c claimed and not sent, d and e queued
        final int local = balancer.addWorker();
        assertEquals(1, local);

        link.alive = false;
        stepRemote();                     // loss: a, b answered on the remote worker's thread
        assertEquals(asList("a", "b"), reply.errors);
        for (final Throwable cause : reply.causes)
        {
            assertInstanceOf(WorkerLostException.class, cause);
        }
        assertTrue(link.closed);
        assertTrue(reported.stream().anyMatch(t -> t instanceof WorkerLostException), reported::toString);

        stepAll();                        // the balancer moves c, d, e to the local worker, which runs them
        assertEquals(asList("c", "d", "e"), reply.results);
        assertEquals(asList("c@local", "d@local", "e@local"), reply.values);
        assertEquals(asList("a", "b"), link.sentLog);
        assertEquals(WorkerState.GONE, balancer.stats().state(0));
        assertEquals(1, balancer.workers());
        assertEquals(5, reply.count());
    }

    @Test
    @Timeout(30)
    void shouldRunAgainElsewhereOnlyUnkeyedRequestsTheLinkCallsSafe()
    {
        build(2, 8);
        link.safeToRunTwice = r -> r.startsWith("idem");
        submit("idem-1", "once-1");
        submit(7, "keyed-idem");
        stepAll();
        assertEquals(3, link.sentLog.size());
        balancer.addWorker();

        link.alive = false;
        stepAll();
        assertEquals(asList("idem-1"), reply.results);
        assertEquals(asList("idem-1@local"), reply.values);
        assertEquals(Set.of("once-1", "keyed-idem"), Set.copyOf(reply.errors));
        assertEquals(3, reply.count());
    }

    @Test
    @Timeout(30)
    void shouldKeepAKeysOrderAcrossTheLoss()
    {
        build(2, 8);
        submit(5, "k1");
        stepAll();                        // k1 sent
        link.full = true;
        submit(5, "k2", "k3");
        stepAll();                        // k2 claimed and not sent, k3 queued
        balancer.addWorker();

        link.alive = false;
        stepAll();
        final List<String> order = new ArrayList<>();
        order.addAll(reply.errors);
        order.addAll(reply.results);
        assertEquals(asList("k1"), reply.errors);
        assertEquals(asList("k2", "k3"), reply.results, "never sent: moved whole, in order, after k1's answer");
        assertEquals(asList("k2@local", "k3@local"), reply.values);
    }

    @Test
    @Timeout(30)
    void shouldTreatALinkThatThrowsAsLost()
    {
        build(2, 8);
        submit(3, "a");
        stepAll();                        // a in flight on the remote worker
        balancer.addWorker();
        link.throwOnSend = new IllegalStateException("codec broke");
        submit(3, "b");                   // keyed: follows a to the remote worker, whose send throws
        stepAll();
        assertEquals(asList("a"), reply.errors, "a was in flight on the lost worker");
        assertInstanceOf(WorkerLostException.class, reply.causes.get(0));
        assertEquals(asList("b"), reply.results, "b was never sent: it moved");
        assertEquals(asList("b@local"), reply.values);
        assertTrue(reported.stream().anyMatch(t -> t instanceof WorkerLostException &&
            t.getCause() == link.throwOnSend), reported::toString);
    }

    @Test
    @Timeout(30)
    void shouldAnswerWhatIsInFlightAtACloseDeadlineAndDropTheLateReply()
    {
        build(1, 8);
        submit("a");
        stepAll();
        final long id = (Long)link.sent.peek()[0];
        assertFalse(balancer.close(Duration.ofMillis(20)));
        assertEquals(asList("a"), reply.errors);
        assertInstanceOf(AbandonedByCloseException.class, reply.causes.get(0));

        balancer.remoteAgent(0).onResult(id, "late"); // the far end answers after all
        assertEquals(1, reply.count());
    }

    @Test
    @Timeout(30)
    void shouldCloseTheLinkWhenTheRemoteWorkerIsRemovedAndWhatItRunsIsAnswered()
    {
        build(2, 8);
        submit("a");
        stepAll();                        // a in flight on the remote worker
        balancer.addWorker();
        balancer.removeWorker(0);
        stepAll();
        assertFalse(link.closed, "a is still in flight there: the worker leaves once it is answered");
        assertEquals(WorkerState.LEAVING, balancer.stats().state(0));
        link.answer(1);
        stepAll();
        assertEquals(asList("a"), reply.results);
        assertEquals(asList("a@remote"), reply.values);
        assertEquals(WorkerState.GONE, balancer.stats().state(0));
        assertTrue(link.closed);
    }

    @Test
    void shouldRefuseNoWorkersWhereTheBalancerNeedsOne()
    {
        final Task<String, String> task = r -> r;
        final IllegalArgumentException noMax = assertThrows(IllegalArgumentException.class,
            () -> Balancer.builder(task).workers(0).build());
        assertTrue(noMax.getMessage().contains("workers=0"), noMax.getMessage());
        final IllegalArgumentException shared = assertThrows(IllegalArgumentException.class,
            () -> Balancer.builder(task).workers(0).maxWorkers(2).threadingMode(ThreadingMode.SHARED).build());
        assertTrue(shared.getMessage().contains("SHARED"), shared.getMessage());
        final Balancer<String, String> b = Balancer.builder(task).workers(1).build();
        try
        {
            assertThrows(NullPointerException.class, () -> b.addWorker((WorkerLink<String, String>)null));
        }
        finally
        {
            b.close();
        }
    }
}
