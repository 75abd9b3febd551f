package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * How many dispatches per second one balancer thread sustains when the workers are never the limit, by worker
 * count, policy and keyed or not: a {@link LockstepBalancer} stepped on the benchmark thread, one round per
 * operation. The figure is in the auxiliary counters, not in the primary score: {@code balancerNs} (time in the
 * balancer's cycles, the workers held still meanwhile), {@code dispatches} and {@code cycles} per iteration, and
 * {@code cycleP50Ns}, the iteration's median cycle; a dispatch costs
 * {@code balancerNs / dispatches}, which includes taking the request from the ring, choosing its worker, offering it
 * to the worker's queue and, later, draining its completion. The primary score (rounds per second) includes the
 * workers' turns and the gate's wake-ups, and says nothing about the balancer.
 * <p>
 * {@link CapacityReport} runs this benchmark and turns the counters into the table and the chart.
 * <p>
 * Threads: the benchmark thread (balancer cycles and publishing), {@link #workers} worker threads parked in the
 * gate while the balancer runs; no watchdog. Every request is a reused {@link Probe} run by {@link BenchTask}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
@State(Scope.Thread)
public class BalancerCapacityBenchmark
{
    /** Worker threads. */
    @Param({"2", "4", "8", "16", "32", "64", "128", "256"})
    public int workers;

    /** A {@code Policy.byName} name. */
    @Param({"leastLoaded", "roundRobin", "powerOfTwoChoices", "joinIdleQueue", "peakEwma"})
    public String policy;

    /** Every request with a key of its own, or none. */
    @Param({"false", "true"})
    public boolean keyed;

    /** {@code maxPendingPerWorker}: a cycle dispatches workers x this ({@code joinIdleQueue}: workers x 1). */
    @Param({"16"})
    public int maxPending;

    /**
     * 0: {@link #maxPending} as it is. Else {@code maxPendingPerWorker} is {@code max(1, inFlight / workers)}, so
     * that every worker count holds the same requests in flight (the same working set of jobs, the same cycle
     * size): what is left of the growth with the worker count is the policy's and the per-worker scans', not the
     * memory's.
     */
    @Param({"0"})
    public int inFlight;

    LockstepBalancer rig;

    /**
     * Per iteration: what the balancer did and how long it took.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cycles
    {
        /** Requests dispatched in the timed cycles. */
        public long dispatches;
        /** Nanoseconds in the timed cycles. */
        public long balancerNs;
        /** Timed cycles (rounds). */
        public long cycles;
        /** The iteration's median cycle, in nanoseconds: robust to the cycles another process preempted. */
        public long cycleP50Ns;

        private final Histogram cycleNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);

        @Setup(Level.Iteration)
        public void reset()
        {
            dispatches = 0;
            balancerNs = 0;
            cycles = 0;
            cycleP50Ns = 0;
            cycleNs.reset();
        }

        @TearDown(Level.Iteration)
        public void median()
        {
            cycleP50Ns = cycleNs.getValueAtPercentile(50);
        }

        void add(final long ns, final long dispatched)
        {
            balancerNs += ns;
            dispatches += dispatched;
            cycles++;
            cycleNs.recordValue(Math.min(ns, cycleNs.getHighestTrackableValue()));
        }
    }

    @Setup(Level.Trial)
    public void start()
    {
        if (inFlight < 0)
        {
            throw new IllegalArgumentException("inFlight must be >= 0: inFlight=" + inFlight);
        }
        final int pending = inFlight > 0 ? Math.max(1, inFlight / workers) : maxPending;
        rig = new LockstepBalancer(workers, Policy.byName(policy), keyed, pending, BenchTask.INSTANCE);
    }

    @TearDown(Level.Iteration)
    public void check()
    {
        rig.verify();
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        rig.close();
    }

    /**
     * One round: the balancer's cycle timed alone, then the workers' turn.
     *
     * @return the cycle's nanoseconds.
     */
    @Benchmark
    public long round(final Cycles cycles)
    {
        final long ns = rig.round();
        cycles.add(ns, rig.lastDispatched());
        return ns;
    }
}
