package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadingModeTest
{
    private static final int REQUESTS = 20_000;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    @Timeout(120)
    void shouldRunEveryRequestOnWorkerThreadsInEachMode(final ThreadingMode mode)
    {
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                threads.add(Thread.currentThread().getName());
                return q + 1;
            })
            .workers(2)
            .threadingMode(mode)
            .balancerIdleStrategy(YieldingIdleStrategy::new)
            .workerIdleStrategy(() -> new BackoffIdleStrategy(50, 10, 1_000, 50_000))
            .build();
        final AtomicInteger sum = new AtomicInteger();
        final Reply<Integer, Integer> reply = new Reply<>()
        {
            public void onResult(final Integer request, final Integer result)
            {
                sum.addAndGet(result - request);
            }

            public void onError(final Integer request, final Throwable error)
            {
                throw new AssertionError(error);
            }
        };

        for (int i = 0; i < REQUESTS; i++)
        {
            while (!balancer.trySubmit(i, reply))
            {
                if (ThreadingMode.INVOKER == mode)
                {
                    balancer.invoker().invoke(); // the application's loop drives the balancer
                }
            }
        }
        if (ThreadingMode.INVOKER == mode)
        {
            Await.until(() ->
            {
                balancer.invoker().invoke();
                return sum.get() == REQUESTS;
            }, () -> "sum=" + sum.get());
        }
        balancer.close();

        assertEquals(REQUESTS, sum.get());
        assertEquals(0, balancer.stats().totalPending());
        final String expectedWorker = ThreadingMode.SHARED == mode ? "fulcrum-balancer+worker-0" : "fulcrum-worker-0";
        assertTrue(threads.contains(expectedWorker) || threads.contains("fulcrum-worker-1"), threads::toString);
        assertTrue(threads.stream().allMatch(t -> t.startsWith("fulcrum-")), threads::toString);
    }

    @Test
    @Timeout(60)
    void shouldRunPinnedOrSayWhyNotWhenCpusAreGiven() throws Exception
    {
        final int lastCpu = Runtime.getRuntime().availableProcessors() - 1;
        try (LogCapture log = new LogCapture();
            Balancer<Integer, String> balancer = Balancer.builder((Integer q) ->
                net.openhft.affinity.Affinity.getAffinity().toString())
            .workers(1)
            .threadingMode(ThreadingMode.SHARED)
            .pinCpus(lastCpu)
            .build())
        {
            final String affinity = balancer.submit(5).get();
            final boolean pinned = ("{" + lastCpu + "}").equals(affinity);
            assertTrue(pinned || log.contains("could not pin"),
                () -> "neither pinned (affinity " + affinity + ") nor reported: " + log.messages);
        }
    }

    @Test
    @Timeout(60)
    void shouldWarnWhenMoreThreadsBusySpinThanThereAreProcessors()
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        try (LogCapture log = new LogCapture())
        {
            Balancer.builder((Integer q) -> q)
                .workers(cpus)
                .workerIdleStrategy(BusySpinIdleStrategy::new)
                .balancerIdleStrategy(BusySpinIdleStrategy::new)
                .busyApplicationThreads(0)
                .build()
                .close();
            assertTrue(log.contains((cpus + 1) + " busy-spinning engine threads and 0 busy application threads (busyApplicationThreads) on " +
                cpus), log.messages::toString);

            log.messages.clear();
            Balancer.builder((Integer q) -> q)
                .workers(cpus)
                .threadingMode(ThreadingMode.SHARED)
                .workerIdleStrategy(BusySpinIdleStrategy::new)
                .balancerIdleStrategy(BusySpinIdleStrategy::new)
                .busyApplicationThreads(0)
                .build()
                .close();
            assertTrue(!log.contains("busy-spinning"), () -> "SHARED runs one spinner per cpu: " + log.messages);

            // the same with the default: one application thread that spins too (a requester waiting for replies)
            Balancer.builder((Integer q) -> q)
                .workers(cpus)
                .threadingMode(ThreadingMode.SHARED)
                .workerIdleStrategy(BusySpinIdleStrategy::new)
                .balancerIdleStrategy(BusySpinIdleStrategy::new)
                .build()
                .close();
            assertTrue(log.contains(cpus + " busy-spinning engine threads and 1 busy application threads (busyApplicationThreads) on " +
                cpus), log.messages::toString);

            log.messages.clear();
            Balancer.builder((Integer q) -> q)
                .workers(cpus)
                .busyApplicationThreads(BalancerBuilder.MAX_WORKERS)
                .build()
                .close();
            assertTrue(!log.contains("busy-spinning"), () -> "no engine thread spins: " + log.messages);
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseCloseFromATaskRunningOnTheEngine() throws Exception
    {
        final AtomicReference<Balancer<Integer, Integer>> self = new AtomicReference<>();
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                self.get().close();
                return q;
            })
            .workers(1)
            .build())
        {
            self.set(balancer);
            final ExecutionException failed = assertThrows(ExecutionException.class, () -> balancer.submit(1).get());
            assertTrue(failed.getCause() instanceof IllegalStateException, failed::toString);
            assertTrue(failed.getCause().getMessage().contains("worker-0"), failed::toString);
            assertTrue(!balancer.isClosed(), "the refused close left the balancer open");
        }
    }

    @Test
    @Timeout(60)
    void shouldLeaveNoThreadBehindWhenTheThreadFactoryFails()
    {
        final AtomicInteger made = new AtomicInteger();
        final List<Thread> started = new CopyOnWriteArrayList<>();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> Balancer.builder((Integer q) -> q)
            .workers(3)
            .threadFactory(r ->
            {
                if (made.incrementAndGet() == 3)
                {
                    throw new IllegalStateException("no more threads");
                }
                final Thread t = new Thread(r);
                started.add(t);
                return t;
            })
            .build());
        assertEquals("no more threads", ex.getMessage());
        assertEquals(2, started.size());
        Await.until(() -> started.stream().noneMatch(Thread::isAlive), () -> "threads still alive: " + started);
    }

    @Test
    void shouldCloseIdempotentlyAndJoinThreads()
    {
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> q).workers(2).build();
        balancer.close();
        balancer.close();
        assertTrue(balancer.isClosed());
        Await.until(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().startsWith("fulcrum-") && t.isAlive()), () -> "engine threads alive");
    }
}
