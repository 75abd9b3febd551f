package dev.fulcrum.bench;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Policy;
import dev.fulcrum.Task;
import dev.fulcrum.ThreadingMode;
import org.agrona.concurrent.AgentInvoker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One balancer stepped in rounds on the calling thread, its workers held by a {@link WorkerGate}, so that its duty
 * cycle can be timed alone: what one balancer thread costs per dispatch when the workers are never the limit.
 * Public API only: {@link ThreadingMode#INVOKER} (the caller runs the cycle through {@link Balancer#invoker()}),
 * the gate as every worker's idle strategy, stall detection off (no watchdog thread), a fixed cap of
 * {@code maxPendingPerWorker} (adaptive binding off, or the cap would follow the task time).
 * <p>
 * A round ({@link #round()}): the ring holds {@link #backlog()} requests and every worker holds nothing but the
 * completions of the previous round, waiting to be drained; one {@code invoke()} is timed, with no worker running,
 * in which the balancer drains those completions (pending down, heap fixed, jobs recycled, keys released) and takes
 * from the ring until no worker has room (a saturated balancer's cycle: it fills every worker to
 * {@code maxPendingPerWorker}, 1 for {@code joinIdleQueue}); then the gate opens, every worker runs what it was
 * given and hands back its completions, and the caller publishes as many requests as were taken, so the next
 * round starts the same. The time between the two clock reads is the balancer's alone: nothing else of the
 * engine runs meanwhile.
 * <p>
 * Requests are preallocated {@link Probe}s run by the given task (the benchmarks' {@link BenchTask}); keyed, every
 * request has a key of its own (its sequence number), so no two of one key are ever in flight: the keyed path's
 * own cost (the key table's add, look-up and remove), no parking.
 * <p>
 * Threading: one thread calls everything, and never from an engine thread.
 */
final class LockstepBalancer implements AutoCloseable
{
    /** How long a round may wait for the workers before the run fails. */
    static final long ROUND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final Balancer<Probe, Probe> balancer;
    private final AgentInvoker invoker;
    private final WorkerGate gate;
    private final boolean keyed;
    private final int backlog;
    private final Probe[] probes;
    private final int mask;
    private long published;
    private long lastTaken;
    private long dispatched;
    private long rounds;
    private boolean closed;
    /** True while the timed cycle runs: a task that sees it true ran beside the balancer (what the tests check). */
    private volatile boolean inCycle;

    /**
     * @param workers    worker threads, 1 to {@code BalancerBuilder.MAX_WORKERS}.
     * @param policy     the dispatch policy.
     * @param keyed      submit every request with a key of its own.
     * @param maxPending {@code maxPendingPerWorker}.
     * @param task       what the workers run on each probe.
     */
    LockstepBalancer(
        final int workers,
        final Policy policy,
        final boolean keyed,
        final int maxPending,
        final Task<Probe, Probe> task)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
        if (maxPending < 1)
        {
            throw new IllegalArgumentException("maxPending must be >= 1: maxPending=" + maxPending);
        }
        this.keyed = keyed;
        backlog = Math.multiplyExact(workers, maxPending);
        final int ringSize = Math.max(1024, Integer.highestOneBit(Math.multiplyExact(2, backlog) - 1) << 1);
        gate = new WorkerGate(workers);
        balancer = Balancer.builder(task)
            .workers(workers)
            .policy(policy)
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(ringSize)
            .maxPendingPerWorker(maxPending)
            .adaptiveBinding(false) // every cycle fills every worker to maxPending, whatever the tasks take
            .workerIdleStrategy(gate.idleStrategies())
            .stallThreshold(Duration.ZERO)
            .threadFactory(new DaemonThreadFactory("capacity-worker"))
            .build();
        invoker = balancer.invoker();
        probes = new Probe[ringSize];
        for (int i = 0; i < ringSize; i++)
        {
            probes[i] = new Probe();
        }
        mask = ringSize - 1;
        try
        {
            gate.awaitArrivals(ROUND_TIMEOUT_NS); // every worker has idled once: all parked, none running
            publish(backlog);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * One round: the balancer's cycle, timed alone, then the workers run what it dispatched.
     *
     * @return nanoseconds the cycle took (two {@link System#nanoTime()} reads around one {@code invoke()}).
     * @throws IllegalStateException when the cycle dispatched nothing or a request went missing (a broken rig, not
     *                               a slow one).
     */
    long round()
    {
        inCycle = true;
        final long startNs = System.nanoTime();
        final int work = invoker.invoke();
        final long cycleNs = System.nanoTime() - startNs;
        inCycle = false;

        final long taken = work - lastTaken; // the cycle's work: the last round's completions drained, slots taken
        if (taken <= 0)
        {
            throw new IllegalStateException("the balancer's cycle took nothing from the ring: work=" + work +
                ", completions expected=" + lastTaken + ", round=" + rounds);
        }
        lastTaken = taken;
        dispatched += taken;
        rounds++;

        gate.open();
        gate.awaitArrivals(ROUND_TIMEOUT_NS);
        publish(taken);
        return cycleNs;
    }

    /**
     * @return requests the last round's cycle dispatched.
     */
    long lastDispatched()
    {
        return lastTaken;
    }

    /**
     * @return requests dispatched by all rounds so far.
     */
    long dispatched()
    {
        return dispatched;
    }

    /**
     * @return requests in the ring before each cycle.
     */
    int backlog()
    {
        return backlog;
    }

    boolean inCycle()
    {
        return inCycle;
    }

    /**
     * Check the round count against the balancer's own: every request this rig counted as dispatched was, and
     * nothing else was.
     *
     * @throws IllegalStateException when they differ.
     */
    void verify()
    {
        final BalancerStats stats = balancer.stats();
        if (stats.dispatched() != dispatched || stats.totalCompleted() != dispatched)
        {
            throw new IllegalStateException("rounds counted " + dispatched + " dispatches; the balancer says " +
                "dispatched=" + stats.dispatched() + ", completed=" + stats.totalCompleted());
        }
    }

    private void publish(final long count)
    {
        for (long i = 0; i < count; i++)
        {
            final long sequence = published;
            final Probe probe = probes[(int)(sequence & mask)];
            if (!probe.isDone())
            {
                throw new IllegalStateException("probe reused while in flight: sequence=" + sequence);
            }
            probe.input = sequence;
            probe.reset();
            final boolean accepted = keyed ?
                balancer.trySubmit(sequence, probe, Probe.REPLY) : balancer.trySubmit(probe, Probe.REPLY);
            if (!accepted)
            {
                throw new IllegalStateException("ring full with room counted: sequence=" + sequence);
            }
            published = sequence + 1;
        }
    }

    /**
     * Release the workers, close the balancer (it runs what is still in the ring) and check that every request
     * published was replied to.
     *
     * @throws IllegalStateException when a request has no reply.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        gate.release();
        balancer.close();
        for (final Probe probe : probes)
        {
            if (!probe.isDone())
            {
                throw new IllegalStateException("a request was never replied to: input=" + probe.input);
            }
        }
    }
}
