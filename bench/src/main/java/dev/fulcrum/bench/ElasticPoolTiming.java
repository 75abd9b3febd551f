package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.Reply;
import dev.fulcrum.ThreadingMode;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How fast the pool changes under load, measured (not asserted): (1) from {@code addWorker()} returning until the
 * new worker starts its first request, with the other worker saturated by a producer; (2) from
 * {@code removeWorker()} until its future completes, with tasks of a known length in flight on it, against that
 * length. Threads: 1 producer (parks 50 us while the ring is full), the balancer, 1 or 2 workers (DEDICATED, Fulcrum's
 * default back-off idle strategy), the watchdog, and the measuring thread, which parks 50 us between looks (the
 * first request's start is stamped by the task itself). Run:
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fulcrum.bench.ElasticPoolTiming [rounds]
 * </pre>
 */
public final class ElasticPoolTiming
{
    private ElasticPoolTiming()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.println(Machine.describe());
        addLatency(rounds, true);
        addLatency(rounds, false);
        removalTime(rounds, TimeUnit.MILLISECONDS.toNanos(1));
        removalTime(rounds, TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * @param spinning the other worker's tasks spin 20 us (it holds a core, and with the balancer both cores are
     *                 busy) or park 20 us (a core is free for the new worker).
     */
    private static void addLatency(final int rounds, final boolean spinning) throws Exception
    {
        final AtomicLong firstOnNew = new AtomicLong();
        final String[] newWorkerName = {""};
        final long[] micros = new long[rounds];
        try (Balancer<Long, Long> balancer = Balancer.<Long, Long>builder(q ->
            {
                if (0 == firstOnNew.get() && Thread.currentThread().getName().equals(newWorkerName[0]))
                {
                    firstOnNew.compareAndSet(0, System.nanoTime());
                }
                if (spinning)
                {
                    spin(20_000); // 20 us of work: one worker cannot keep up with the producer
                }
                else
                {
                    LockSupport.parkNanos(20_000); // holds the worker, not a core
                }
                return q;
            })
            .workers(1).maxWorkers(2).threadingMode(ThreadingMode.DEDICATED).build())
        {
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Thread producer = producer(balancer, producing);
            for (int r = 0; r < rounds; r++)
            {
                firstOnNew.set(0);
                newWorkerName[0] = "fulcrum-worker-1";
                final int w = balancer.addWorker();
                final long added = System.nanoTime();
                while (0 == firstOnNew.get())
                {
                    LockSupport.parkNanos(50_000); // the task stamps the time: this thread must not hold a core
                }
                micros[r] = (firstOnNew.get() - added) / 1_000;
                balancer.removeWorker(w).get(10, TimeUnit.SECONDS);
            }
            producing.set(false);
            producer.join();
        }
        Arrays.sort(micros);
        System.out.printf("addWorker() returned -> new worker starts its first request, other worker's tasks %s, " +
            "%d rounds: median %d us, min %d us, max %d us%n", spinning ? "spin 20 us" : "park 20 us", rounds,
            micros[rounds / 2], micros[0], micros[rounds - 1]);
    }

    private static void removalTime(final int rounds, final long taskNs) throws Exception
    {
        final long[] micros = new long[rounds];
        try (Balancer<Long, Long> balancer = Balancer.<Long, Long>builder(q ->
            {
                LockSupport.parkNanos(taskNs);
                return q;
            })
            .workers(2).maxWorkers(2).maxPendingPerWorker(4).threadingMode(ThreadingMode.DEDICATED).build())
        {
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Thread producer = producer(balancer, producing);
            for (int r = 0; r < rounds; r++)
            {
                while (balancer.stats().pending(1) < 2)
                {
                    LockSupport.parkNanos(10_000); // a task running on worker 1 and at least one queued behind it
                }
                final long start = System.nanoTime();
                final CompletableFuture<Void> removed = balancer.removeWorker(1);
                removed.get(10, TimeUnit.SECONDS);
                micros[r] = (System.nanoTime() - start) / 1_000;
                balancer.addWorker();
            }
            producing.set(false);
            producer.join();
        }
        Arrays.sort(micros);
        System.out.printf("removeWorker() -> its future completes, tasks of %d us, %d rounds: median %d us, " +
            "min %d us, max %d us (goal: the in-flight task's length + 10 ms)%n", taskNs / 1_000, rounds,
            micros[rounds / 2], micros[0], micros[rounds - 1]);
    }

    private static Thread producer(final Balancer<Long, Long> balancer, final AtomicBoolean producing)
    {
        final Reply<Long, Long> reply = Reply.of((q, r) -> { }, (q, e) -> { });
        final Thread producer = new Thread(() ->
        {
            long i = 0;
            while (producing.get())
            {
                if (!balancer.trySubmit(i++, reply))
                {
                    LockSupport.parkNanos(50_000); // ring full: leave the cores to the engine
                }
            }
        }, "producer");
        producer.setDaemon(true);
        producer.start();
        return producer;
    }

    private static void spin(final long ns)
    {
        final long end = System.nanoTime() + ns;
        while (System.nanoTime() < end)
        {
            Thread.onSpinWait();
        }
    }
}
