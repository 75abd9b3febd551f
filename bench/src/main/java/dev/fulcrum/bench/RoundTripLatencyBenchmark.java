package dev.fulcrum.bench;

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
 * Round-trip latency of one tiny task, one requester, one request at a time (closed loop), sampled by JMH.
 * <p>
 * Threads and spinners: 1 requester, which busy-spins on its request's done flag (for {@code tpeFuture}, on
 * {@code Future.isDone()}, then {@code get()}); 1 worker by default. The {@code -spin} contenders busy-spin their
 * one engine thread ({@code fulcrum-shared-spin}: balancer and worker 0 on one thread; {@code disruptor-spin}: one
 * handler), so at most 2 threads spin: no more than the 2 cores this was sized for. The {@code -backoff} contenders
 * spin, yield, then park (see {@link IdleKind}); the thread pools park.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@State(Scope.Thread)
public class RoundTripLatencyBenchmark
{
    /** Contender spec, see {@link Contenders}. */
    @Param({
        "fulcrum-shared-spin", "fulcrum-shared-backoff", "fulcrum-dedicated-backoff",
        "tpeFuture", "tpeCallback", "forkJoin", "disruptor-spin", "disruptor-backoff"})
    public String impl;

    /** Worker threads of the engine; keep spinners (spinning workers + 1 requester) within the cores. */
    @Param({"1"})
    public int workers;

    private Contender contender;
    private final Probe probe = new Probe();

    @Setup(Level.Trial)
    public void start()
    {
        contender = Contenders.create(impl, workers);
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        contender.close();
    }

    @Benchmark
    public long roundTrip()
    {
        final Probe p = probe;
        p.input++;
        p.reset();
        contender.send(p);
        contender.awaitSpinning(p);
        return p.output;
    }
}
