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
 * Tiny tasks ({@link BenchTask}) through the JDK's {@code Executor.execute(Runnable)}, completed round trips per
 * second, in one run (see {@link ExecutorContenders} for how each engine is built):
 * <ul>
 *   <li>{@code execute*}: {@code FulcrumExecutorService.execute} ({@code executor} = {@code fulcrum}, DEDICATED,
 *   and {@code fulcrum-shared}, SHARED) against a fixed {@code ThreadPoolExecutor} with a bounded queue of 1024
 *   that the caller waits on when full ({@code tpe}) and a {@code ForkJoinPool} ({@code forkJoin});</li>
 *   <li>{@code ordered*}: Fulcrum's ordered executor, {@code forKey(key).execute} ({@code ordered} =
 *   {@code fulcrum}, {@code fulcrum-shared}), against the hashed single-thread-executor pattern, {@value #WORKERS} x
 *   {@code Executors.newSingleThreadExecutor()}, key modulo stripes ({@code stripes}). Keys: Zipf, exponent
 *   {@value KeyedThroughputBenchmark#KEY_EXPONENT} over {@value KeyedThroughputBenchmark#KEYS} keys
 *   ({@link ZipfKeys}, key 0 the hottest, about 13%), 65,536 drawn per producer at trial setup (seed
 *   {@value KeyedThroughputBenchmark#KEY_SEED} plus the thread index), as {@link KeyedThroughputBenchmark}; each
 *   key's {@code Executor} is looked up once, at setup.</li>
 * </ul>
 * Allocation: run with {@code -prof gc} and read {@code gc.alloc.rate.norm}, bytes per task. The {@code Runnable}
 * is the caller's: every producer keeps a window of {@value #WINDOW} preallocated, reused {@link Probe}s in flight
 * (a {@code Probe} is the {@code Runnable}: it runs the task, then marks itself done); once the window is full it
 * waits for its oldest (spin 100, then {@link Thread#yield()}), as {@link ThroughputBenchmark}. So what is counted
 * is the engine's own: a queue node, a wrapper task, nothing.
 * <p>
 * Threads: {@code *OneProducer} 1 producer, {@code *FourProducers} 4 producers; {@value #WORKERS} workers for every
 * engine, plus one balancer thread for {@code fulcrum} (DEDICATED); {@code fulcrum-shared} runs the balancer on
 * worker 0's thread; both add Fulcrum's stall watchdog, a daemon thread that wakes every 5 ms. Idle strategies:
 * Fulcrum's default back-off on every engine thread (spin 10, yield 1,000, then park 1 us doubling to 100 us);
 * {@code ThreadPoolExecutor} and the stripes' single-thread executors park in
 * {@code LinkedBlockingQueue.take}; {@code ForkJoinPool} workers scan, then park. On 2 cores every configuration has
 * more threads than cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
public class ExecutorThroughputBenchmark
{
    /** Worker threads of every engine, and stripes of {@code stripes}. */
    static final int WORKERS = 4;
    /** Tasks each producer keeps in flight: a power of 2, the same for every contender. */
    static final int WINDOW = 16;

    /**
     * The {@code execute(Runnable)} engine.
     */
    @State(Scope.Benchmark)
    public static class Pool
    {
        /** {@code fulcrum}, {@code fulcrum-shared}, {@code tpe}, {@code forkJoin}: see {@link ExecutorContenders}. */
        @Param({"fulcrum", "fulcrum-shared", "tpe", "forkJoin"})
        public String executor;

        Contender contender;

        @Setup(Level.Trial)
        public void start()
        {
            contender = ExecutorContenders.create(executor, WORKERS);
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            contender.close();
        }
    }

    /**
     * The ordered engine.
     */
    @State(Scope.Benchmark)
    public static class OrderedPool
    {
        /** {@code fulcrum}, {@code fulcrum-shared}, {@code stripes}: see {@link ExecutorContenders}. */
        @Param({"fulcrum", "fulcrum-shared", "stripes"})
        public String ordered;

        KeyedContender contender;

        @Setup(Level.Trial)
        public void start()
        {
            contender = ExecutorContenders.ordered(ordered, WORKERS, KeyedThroughputBenchmark.KEYS);
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            contender.close();
        }
    }

    /**
     * One producer's window of tasks.
     */
    @State(Scope.Thread)
    public static class Producer
    {
        private ProbeWindow window;

        @Setup(Level.Trial)
        public void allocate(final Pool pool)
        {
            window = new ProbeWindow(WINDOW, pool.contender);
        }

        @TearDown(Level.Iteration)
        public void drain()
        {
            window.drain();
        }
    }

    /**
     * One producer's window of tasks and its keys ({@link KeyedWindow}).
     */
    @State(Scope.Thread)
    public static class KeyedProducer
    {
        private KeyedWindow window;

        @Setup(Level.Trial)
        public void allocate(final OrderedPool pool, final ThreadParams threads)
        {
            window = new KeyedWindow(WINDOW, pool.contender, threads.getThreadIndex());
        }

        @TearDown(Level.Iteration)
        public void drain()
        {
            window.drain();
        }
    }

    @Benchmark
    @Threads(1)
    public long executeOneProducer(final Producer producer)
    {
        return producer.window.send();
    }

    @Benchmark
    @Threads(4)
    public long executeFourProducers(final Producer producer)
    {
        return producer.window.send();
    }

    @Benchmark
    @Threads(1)
    public long orderedOneProducer(final KeyedProducer producer)
    {
        return producer.window.send();
    }

    @Benchmark
    @Threads(4)
    public long orderedFourProducers(final KeyedProducer producer)
    {
        return producer.window.send();
    }
}
