package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote workers on real threads: one local worker and two remote ones whose far ends are threads of the test,
 * two producers submitting keyed and unkeyed requests, and one far end killed midway (it stops answering and its
 * link says lost). Every request gets exactly one reply, a key's replies come in the order it was submitted, and a
 * request not marked safe to run twice never runs twice.
 */
class RemoteWorkerStressTest
{
    private static final int PRODUCERS = 2;
    private static final int PER_PRODUCER = 3_000;
    private static final int KEYS = 16;

    /** The far end of one link: a thread that runs what was sent and queues the results. */
    static final class FarEnd implements WorkerLink<Integer, Integer>, Runnable
    {
        final ConcurrentLinkedQueue<long[]> requests = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<long[]> results = new ConcurrentLinkedQueue<>();
        final AtomicIntegerArray runs;
        volatile boolean killed;
        volatile boolean closed;

        FarEnd(final AtomicIntegerArray runs)
        {
            this.runs = runs;
        }

        @Override
        public void run()
        {
            while (!killed && !closed)
            {
                final long[] r = requests.poll();
                if (null == r)
                {
                    Thread.yield();
                    continue;
                }
                runs.incrementAndGet((int)r[1]);
                results.add(new long[]{r[0], r[1] * 2});
            }
        }

        @Override
        public int send(final long id, final Integer request)
        {
            if (requests.size() > 64)
            {
                return FULL;
            }
            requests.add(new long[]{id, request});
            return SENT;
        }

        @Override
        public int poll(final Replies<? super Integer> replies)
        {
            int n = 0;
            long[] r;
            while (!killed && null != (r = results.poll()))
            {
                replies.onResult(r[0], (int)r[1]);
                n++;
            }
            return n;
        }

        @Override
        public boolean isAlive(final long nowNs)
        {
            return !killed;
        }

        @Override
        public boolean safeToRunTwice(final Integer request)
        {
            return request % 10 == 0; // unkeyed requests that are multiples of 10 are idempotent here
        }

        @Override
        public void close()
        {
            closed = true;
        }
    }

    @Test
    @Timeout(120)
    void shouldReplyOnceInKeyOrderWhenAFarEndDiesUnderLoad() throws Exception
    {
        final int total = PRODUCERS * PER_PRODUCER;
        final AtomicIntegerArray runs = new AtomicIntegerArray(total);
        final AtomicIntegerArray replies = new AtomicIntegerArray(total);
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        final Map<Long, Integer> lastPerKey = new ConcurrentHashMap<>();
        final List<Throwable> otherErrors = new ArrayList<>();

        final Reply<Integer, Integer> reply = new Reply<>()
        {
            @Override
            public void onResult(final Integer request, final Integer result)
            {
                record(request);
            }

            @Override
            public void onError(final Integer request, final Throwable error)
            {
                if (error instanceof WorkerLostException)
                {
                    lost.incrementAndGet();
                }
                else
                {
                    synchronized (otherErrors)
                    {
                        otherErrors.add(error);
                    }
                }
                record(request);
            }

            private void record(final Integer request)
            {
                replies.incrementAndGet(request);
                if (keyed(request))
                {
                    // one producer per key (keys are split by producer), so a key's requests grow with submission
                    final long key = key(request);
                    final Integer before = lastPerKey.put(key, request);
                    if (null != before && before > request)
                    {
                        outOfOrder.incrementAndGet();
                    }
                }
            }
        };

        final Balancer<Integer, Integer> balancer = Balancer.<Integer, Integer>builder(r ->
            {
                runs.incrementAndGet(r);
                return r * 2;
            })
            .workers(1)
            .maxWorkers(3)
            .maxPendingPerWorker(32)
            .ringSize(256)
            .threadingMode(ThreadingMode.DEDICATED)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .errorHandler(t -> { })
            .build();
        final FarEnd[] farEnds = {new FarEnd(runs), new FarEnd(runs)};
        final List<Thread> threads = new ArrayList<>();
        for (final FarEnd farEnd : farEnds)
        {
            final Thread t = new Thread(farEnd, "far-end");
            t.setDaemon(true);
            t.start();
            threads.add(t);
            balancer.addWorker(farEnd);
        }

        final Thread[] producers = new Thread[PRODUCERS];
        for (int p = 0; p < PRODUCERS; p++)
        {
            final int first = p * PER_PRODUCER;
            producers[p] = new Thread(() ->
            {
                for (int i = first; i < first + PER_PRODUCER; i++)
                {
                    if (keyed(i))
                    {
                        balancer.submit(key(i), i, reply);
                    }
                    else
                    {
                        balancer.submit(i, reply);
                    }
                    if (i == first + PER_PRODUCER / 2 && 0 == first)
                    {
                        farEnds[0].killed = true; // midway: one far end dies with what it holds
                    }
                }
            }, "producer-" + p);
            producers[p].start();
        }
        for (final Thread producer : producers)
        {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertTrue(balancer.close(Duration.ofSeconds(60)), "drained");
        farEnds[1].closed = true;
        for (final Thread t : threads)
        {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }

        for (int i = 0; i < total; i++)
        {
            assertEquals(1, replies.get(i), "replies to request " + i);
            final boolean mayRunTwice = !keyed(i) && i % 10 == 0;
            assertTrue(runs.get(i) <= (mayRunTwice ? 2 : 1), "runs of request " + i + ": " + runs.get(i));
        }
        assertEquals(0, outOfOrder.get(), "a key's replies out of submission order");
        assertTrue(otherErrors.isEmpty(), otherErrors::toString);
        assertTrue(farEnds[0].closed, "the lost link is closed");
        assertEquals(WorkerState.GONE, balancer.stats().state(1));
    }

    private static boolean keyed(final int request)
    {
        return request % 3 == 0;
    }

    /** Keys of producer p are p * KEYS .. p * KEYS + KEYS - 1: no key is shared between producers. */
    private static long key(final int request)
    {
        return (long)(request / PER_PRODUCER) * KEYS + request % KEYS;
    }
}
