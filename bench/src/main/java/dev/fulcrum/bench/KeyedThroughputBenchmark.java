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
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.TimeUnit;

/**
 * Round trips per second of a tiny task ({@link BenchTask}) sent with a key, under one skewed key
 * distribution, through three engines in one run:
 * <ul>
 *   <li>{@code fulcrum-keyed}: {@code balancer.submit(key, probe, reply)}; requests of one key run one at a time,
 *   in order, sticky to one worker while the key has requests in flight, placed least-loaded once it is free;</li>
 *   <li>{@code fulcrum-unkeyed}: the same balancer with {@code submit(probe, reply)}, the key ignored: no ordering,
 *   the upper bound of the keyed form;</li>
 *   <li>{@code striped}: the static {@code key % workers} ordering users hand-roll on a bare Disruptor
 *   ({@link KeyStripedDisruptorContender}: multi-producer ring of 1024, one handler per worker).</li>
 * </ul>
 * Keys: Zipf-like, exponent {@value #KEY_EXPONENT} over {@value #KEYS} keys ({@link ZipfKeys}; key 0 the hottest,
 * about 13% of requests), {@value #KEY_SAMPLES} keys drawn per producer thread at trial setup (seed
 * {@value #KEY_SEED} plus the thread index) and read in turn, so drawing a key costs one array read. Keys are
 * numbered by rank, so consecutive hot keys fall on different stripes of {@code striped}: the static baseline gets
 * the best spread of its hottest keys it can have with this distribution, not the worst.
 * <p>
 * Fair and bounded, as {@link ThroughputBenchmark}: every producer keeps a window of {@link #window} requests in
 * flight (preallocated, reused {@link Probe}s); once the window is full it waits for its oldest request (spin 100,
 * then {@link Thread#yield()}) before sending the next. ops/s is completed round trips per second.
 * <p>
 * Threads: {@code oneProducer} 1 producer, {@code fourProducers} 4 producers; plus the engine's {@link #workers}
 * worker threads, and for {@code fulcrum-*} (dedicated mode) one balancer thread. Idle strategies of the engine's
 * threads ({@link #idle}, see {@link IdleKind}): {@code backoff}, Fulcrum's default back-off (spin, yield, then park
 * 1 us to 100 us) and the Disruptor's {@code SleepingWaitStrategy}; {@code yield}, Agrona's
 * {@code YieldingIdleStrategy} and the Disruptor's {@code YieldingWaitStrategy}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@State(Scope.Benchmark)
public class KeyedThroughputBenchmark
{
    /** Distinct keys. */
    static final int KEYS = 1000;
    /** Zipf exponent of the key distribution. */
    static final double KEY_EXPONENT = 1.0;
    /** Keys drawn per producer thread: a power of 2. */
    static final int KEY_SAMPLES = 1 << 16;
    /** Seed of producer 0's keys; producer {@code i} uses {@code KEY_SEED + i}. */
    static final long KEY_SEED = 20_261_122L;

    /**
     * Keyed contender spec without its idle token, see {@link KeyedContenders}: {@code fulcrum-keyed},
     * {@code fulcrum-unkeyed}, {@code striped}; a mode token selects Fulcrum's threading mode
     * ({@code fulcrum-keyed-shared}).
     */
    @Param({"fulcrum-keyed", "fulcrum-unkeyed", "striped"})
    public String impl;

    /** Worker threads of the engine. */
    @Param({"2", "4"})
    public int workers;

    /** How the engine's threads wait for work: {@code backoff} or {@code yield} ({@link IdleKind}). */
    @Param({"backoff", "yield"})
    public String idle;

    /** Requests each producer keeps in flight: a power of 2, the same for every contender. */
    @Param({"16"})
    public int window;

    KeyedContender contender;

    @Setup(Level.Trial)
    public void start()
    {
        if (window < 1 || Integer.bitCount(window) != 1)
        {
            throw new IllegalArgumentException("window must be a power of 2: window=" + window);
        }
        contender = KeyedContenders.create(impl + "-" + idle, workers);
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        contender.close();
    }

    /**
     * One producer's window of requests and its keys.
     */
    @State(Scope.Thread)
    public static class Producer
    {
        private KeyedWindow window;

        @Setup(Level.Trial)
        public void allocate(final KeyedThroughputBenchmark benchmark, final ThreadParams threads)
        {
            window = new KeyedWindow(benchmark.window, benchmark.contender, threads.getThreadIndex());
        }

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
