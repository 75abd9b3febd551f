package dev.fulcrum;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The placement rule for keyed requests, stepped by hand: sticky while busy, least loaded when idle, and a parked
 * request never holds back another key.
 */
class KeyedSteppingTest
{
    private Balancer<String, String> balancer;
    private final Recorder<String, String> reply = new Recorder<>();

    @AfterEach
    void close()
    {
        if (null != balancer)
        {
            balancer.close();
        }
    }

    private void build(final int workers, final int maxPending, final int maxParked, final int ring)
    {
        balancer = Balancer.builder((String q) -> q)
            .workers(workers)
            .maxPendingPerWorker(maxPending)
            .maxParked(maxParked)
            .ringSize(ring)
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .build();
    }

    private void stepBalancer()
    {
        balancer.invoker().invoke();
    }

    private void stepWorker(final int w)
    {
        balancer.workerInvoker(w).invoke();
    }

    @Test
    void shouldKeepABusyKeyOnItsWorkerEvenWhenOthersAreLessLoaded()
    {
        build(3, 4, 4, 16);
        balancer.submit(7L, "a7", reply);
        balancer.submit(7L, "b7", reply);
        balancer.submit(7L, "c7", reply);
        balancer.submit("u1", reply);
        stepBalancer();
        assertEquals(3, balancer.stats().pending(0), "key 7 stuck to worker 0 while busy");
        assertEquals(1, balancer.stats().pending(1), "unkeyed work went to the least loaded");
        assertEquals(1, balancer.stats().keysInFlight());

        stepWorker(0);
        assertEquals(List.of("a7", "b7", "c7"), reply.results, "in submission order");
        stepBalancer();
        assertEquals(0, balancer.stats().keysInFlight(), "the key is free once its last request completed");
    }

    @Test
    void shouldMoveAFreeKeyToTheLeastLoadedWorker()
    {
        build(2, 4, 4, 16);
        balancer.submit(7L, "a7", reply);
        stepBalancer();
        stepWorker(0);
        stepBalancer();
        assertEquals(0, balancer.stats().keysInFlight());

        balancer.submit("u1", reply);
        balancer.submit("u2", reply);
        balancer.submit("u3", reply);
        stepBalancer();
        // pending [2, 1]: the free key goes to worker 1 now
        balancer.submit(7L, "b7", reply);
        stepBalancer();
        assertEquals(2, balancer.stats().pending(0));
        assertEquals(2, balancer.stats().pending(1));
        stepWorker(1);
        assertTrue(reply.results.contains("b7"), reply.results::toString);
    }

    @Test
    void shouldParkAKeyWhoseWorkerIsFullWithoutHoldingBackOtherKeys()
    {
        build(2, 1, 2, 16);
        balancer.submit(1L, "a1", reply);  // worker 0
        balancer.submit(1L, "b1", reply);  // worker 0 is full: parked
        balancer.submit(2L, "a2", reply);  // worker 1, not held back by b1
        stepBalancer();
        assertEquals(1, balancer.stats().parked());
        assertEquals(2, balancer.stats().keysInFlight());
        assertEquals(1, balancer.stats().pending(0));
        assertEquals(1, balancer.stats().pending(1));

        stepWorker(1);
        assertEquals(List.of("a2"), reply.results, "key 2 ran while key 1 waited");
        stepBalancer();
        balancer.submit(3L, "a3", reply);
        stepBalancer();
        stepWorker(1);
        assertEquals(List.of("a2", "a3"), reply.results, "another key still flows");

        stepWorker(0);
        stepBalancer();  // a1's completion releases b1 to worker 0
        assertEquals(0, balancer.stats().parked());
        stepWorker(0);
        assertEquals(List.of("a2", "a3", "a1", "b1"), reply.results);
        stepBalancer();
        assertEquals(0, balancer.stats().keysInFlight());
        assertEquals(0, balancer.stats().totalPending());
    }

    @Test
    void shouldStopTakingFromTheRingWhenParkingIsFullAndResumeAfterwards()
    {
        build(2, 1, 2, 8);
        balancer.submit(1L, "a1", reply);
        balancer.submit(1L, "b1", reply);
        balancer.submit(1L, "c1", reply);
        balancer.submit(1L, "d1", reply);   // would be the third parked: stays in the ring
        balancer.submit(2L, "a2", reply);
        stepBalancer();
        assertEquals(2, balancer.stats().parked(), "parking is bounded by maxParked");
        assertEquals(0, balancer.stats().pending(1), "nothing behind the bound was taken");

        // worker 0 completes one at a time: each completion releases one parked request and makes room to park one
        for (int i = 0; i < 4; i++)
        {
            stepWorker(0);
            stepBalancer();
        }
        stepWorker(1);
        stepBalancer();
        assertEquals(List.of("a1", "b1", "c1", "d1"), reply.results.subList(0, 4));
        assertTrue(reply.results.contains("a2"));
        assertEquals(0, balancer.stats().parked());
        assertEquals(0, balancer.stats().keysInFlight());
    }

    @Test
    void shouldHandOutParkedRequestsOfOneWorkerInArrivalOrderAcrossKeys()
    {
        build(2, 2, 4, 16);
        balancer.submit(1L, "a1", reply);  // worker 0
        balancer.submit(3L, "a3", reply);  // worker 1
        balancer.submit(5L, "a5", reply);  // worker 0, now full with keys 1 and 5
        balancer.submit(5L, "b5", reply);  // parked behind worker 0
        balancer.submit(1L, "b1", reply);  // parked behind worker 0
        balancer.submit(5L, "c5", reply);  // parked behind worker 0
        stepBalancer();
        assertEquals(3, balancer.stats().parked());

        stepWorker(0);
        stepBalancer();  // two completions release b5 then b1
        assertEquals(1, balancer.stats().parked());
        stepWorker(0);
        stepBalancer();  // releases c5
        stepWorker(0);
        stepWorker(1);
        stepBalancer();
        assertEquals(List.of("a1", "a5", "b5", "b1", "c5", "a3"), reply.results);
        assertFalse(balancer.stats().parked() > 0);
        assertEquals(0, balancer.stats().keysInFlight());
    }

    @Test
    void shouldLeaveKeyedRequestsInTheRingWhenEveryWorkerIsFull()
    {
        build(1, 1, 4, 8);
        balancer.submit(1L, "a1", reply);
        balancer.submit(1L, "b1", reply);
        stepBalancer();
        assertEquals(0, balancer.stats().parked(), "nothing is parked while no worker at all has room");
        stepWorker(0);
        stepBalancer();
        stepWorker(0);
        assertEquals(List.of("a1", "b1"), reply.results);
    }

    @Test
    void shouldKeepOtherKeysInStepWithAHotKeyThatTakesHalfTheTraffic()
    {
        final int workers = 3;
        build(workers, 2, 4, 16);
        final int total = 400;
        int submitted = 0;
        int rounds = 0;
        while (reply.count() < total)
        {
            // the requester alternates the hot key 0 with a fresh cold key, as fast as the ring takes them
            while (submitted < total)
            {
                final boolean hot = submitted % 2 == 0;
                if (!balancer.trySubmit(hot ? 0L : submitted, (hot ? "h" : "c") + submitted, reply))
                {
                    break;
                }
                submitted++;
            }
            stepBalancer();
            for (int w = 0; w < workers; w++)
            {
                stepWorker(w);
            }
            stepBalancer();
            rounds++;

            final long hotDone = reply.results.stream().filter(r -> r.startsWith("h")).count();
            final long coldDone = reply.results.size() - hotDone;
            // the hot key is served by one worker at a time, so it sets the pace; the others must keep up with it,
            // never fall behind it (starved), whatever the hot key has queued or parked
            assertTrue(coldDone >= hotDone, "round " + rounds + ": cold " + coldDone + " behind hot " + hotDone);
            assertTrue(rounds < total, "no progress");
        }
        assertEquals(total, reply.results.size());
        assertEquals(0, balancer.stats().parked());
    }

    @Test
    void shouldPlaceWorkThatFitsEvenWhenParkingIsFull()
    {
        build(2, 1, 2, 16);
        balancer.submit(1L, "stuck1", reply);  // worker 0, never stepped until the end
        balancer.submit(1L, "a1", reply);      // parked
        balancer.submit(1L, "b1", reply);      // parked: parking is full
        balancer.submit("free", reply);        // fits on worker 1: must not wait for key 1
        balancer.submit(2L, "a2", reply);      // a free key: fits on worker 1 once "free" is done
        stepBalancer();
        stepWorker(1);
        stepBalancer();
        stepWorker(1);
        assertEquals(List.of("free", "a2"), reply.results);
        assertEquals(2, balancer.stats().parked());
        assertEquals(1, balancer.stats().pending(0));

        // the limit of bounded memory: the next request that needs parking is held, and the ring waits behind it
        balancer.submit(1L, "c1", reply);
        balancer.submit("blocked", reply);
        stepBalancer();
        stepWorker(1);
        assertEquals(List.of("free", "a2"), reply.results, "the ring waits behind the held c1");

        for (int i = 0; i < 6; i++)
        {
            stepWorker(0);
            stepBalancer();
            stepWorker(1);
        }
        assertEquals(7, reply.results.size());
        assertTrue(reply.results.contains("blocked"));
        assertEquals(List.of("stuck1", "a1", "b1", "c1"),
            reply.results.stream().filter(r -> r.endsWith("1")).collect(Collectors.toList()), "key 1 in order");
        assertEquals(0, balancer.stats().parked());
        assertEquals(0, balancer.stats().keysInFlight());
        assertEquals(balancer.balancerAgent().poolSize(), balancer.balancerAgent().freeJobs());
    }
}
