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
 * Round trips per second of a tiny task ({@link BenchTask}): each producer thread submits a request and gets its
 * result back, through Fulcrum (each policy) and through what a Java user would pick instead, in one run.
 * <p>
 * Fair and bounded: every producer keeps the same window of {@link #window} requests in flight (preallocated
 * {@link Probe}s, reused); once the window is full it waits for its oldest request (spin 100, then
 * {@link Thread#yield()}) before it sends the next. One operation is one request sent and, in steady state, one
 * completed, so ops/s is completed round trips per second, and no queue can grow beyond producers x window.
 * <p>
 * Threads: {@code oneProducer} 1 producer, {@code fourProducers} 4 producers, plus the engine's {@link #workers}
 * worker threads (and, for {@code fulcrum-*} in the default dedicated mode, one balancer thread). Idle strategies
 * of the engines' threads: see {@link IdleKind} (default {@code backoff}); the thread pools park.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@State(Scope.Benchmark)
public class ThroughputBenchmark
{
    /** Contender spec, see {@link Contenders}. */
    @Param({
        "fulcrum-leastLoaded", "fulcrum-roundRobin", "fulcrum-powerOfTwoChoices", "fulcrum-joinIdleQueue",
        "fulcrum-shared-leastLoaded", "tpeFuture", "tpeCallback", "forkJoin", "disruptor"})
    public String impl;

    /** Worker threads of the engine. */
    @Param({"1", "2", "4"})
    public int workers;

    /** Requests each producer keeps in flight: a power of 2, the same for every contender. */
    @Param({"16"})
    public int window;

    Contender contender;

    @Setup(Level.Trial)
    public void start()
    {
        if (window < 1 || Integer.bitCount(window) != 1)
        {
            throw new IllegalArgumentException("window must be a power of 2: window=" + window);
        }
        contender = Contenders.create(impl, workers);
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        contender.close();
    }

    /**
     * One producer's window of requests.
     */
    @State(Scope.Thread)
    public static class Producer
    {
        private ProbeWindow window;

        @Setup(Level.Trial)
        public void allocate(final ThroughputBenchmark benchmark)
        {
            window = new ProbeWindow(benchmark.window, benchmark.contender);
        }

        /**
         * Wait for whatever is still in flight, so that an iteration leaves nothing behind and the engine can be
         * closed.
         */
        @TearDown(Level.Iteration)
        public void drain()
        {
            window.drain();
        }

        long roundTrip()
        {
            return window.send();
        }
    }

    @Benchmark
    @Threads(1)
    public long oneProducer(final Producer producer)
    {
        return producer.roundTrip();
    }

    @Benchmark
    @Threads(4)
    public long fourProducers(final Producer producer)
    {
        return producer.roundTrip();
    }
}
