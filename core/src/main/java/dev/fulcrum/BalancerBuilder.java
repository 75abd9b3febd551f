package dev.fulcrum;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

import static dev.fulcrum.EngineSettings.checkPowerOfTwo;
import static dev.fulcrum.EngineSettings.checkRange;
import static dev.fulcrum.EngineSettings.checkSampling;

/**
 * Settings of a {@link Balancer}, from {@link Balancer#builder(Task)}. Every setter checks its argument at once and
 * throws {@link IllegalArgumentException} naming the parameter and its value; {@link #build()} checks how they fit
 * together, with overflow-safe arithmetic, before anything is allocated. Every size has an upper bound, given with
 * its setter.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class BalancerBuilder<Q, R>
{
    /** Smallest ring accepted. */
    public static final int MIN_RING_SIZE = 2;
    /** Largest ring accepted (4 Mi slots). */
    public static final int MAX_RING_SIZE = 1 << 22;
    /** Most workers one balancer runs. */
    public static final int MAX_WORKERS = 1024;
    /** Largest {@link #maxPendingPerWorker(int)}. */
    public static final int MAX_PENDING_PER_WORKER = 1 << 16;
    /** Largest {@link #workerQueueCapacity(int)}. */
    public static final int MAX_WORKER_QUEUE_CAPACITY = 1 << 20;
    /** Largest {@link #maxParked(int)}. */
    public static final int MAX_PARKED = 1 << 22;
    /** Most jobs the engine preallocates ({@code 3 x maxWorkers x maxPendingPerWorker + maxParked + 1}). */
    public static final long MAX_JOBS = 1 << 23;
    /** Most worker queue slots, all workers together ({@code workers x workerQueueCapacity}). */
    public static final long MAX_QUEUE_SLOTS = 1 << 24;
    /**
     * Default {@link #bindingTarget(Duration)}: 5 ms. Binding one request at a time pays a hand-off between the
     * balancer and the worker per request, about 100 us where idle threads park (the default back-off, on a small
     * machine); 5 ms of queued work amortises that and still binds tasks of a few milliseconds or more one at a time.
     */
    public static final Duration DEFAULT_BINDING_TARGET = Duration.ofMillis(5);
    /** Shortest {@link #bindingTarget(Duration)}. */
    public static final Duration MIN_BINDING_TARGET = Duration.ofNanos(1_000);
    /** Longest {@link #bindingTarget(Duration)}. */
    public static final Duration MAX_BINDING_TARGET = Duration.ofSeconds(1);
    /** Default stall threshold: far above any task a low-latency engine should run, and above a disk force. */
    public static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofMillis(500);
    /** Shortest stall threshold accepted (other than 0, off). */
    public static final Duration MIN_STALL_THRESHOLD = Duration.ofMillis(1);
    /** The property that turns {@link #latencyHistograms(boolean)} on by default: {@code -Dfulcrum.latency=true}. */
    public static final String LATENCY_PROPERTY = "fulcrum.latency";
    /** The property that sets {@link #latencySampling(int)} by default: {@code -Dfulcrum.latency.sampling=16}. */
    public static final String LATENCY_SAMPLING_PROPERTY = "fulcrum.latency.sampling";
    /** Largest {@link #latencySampling(int)}. */
    public static final int MAX_LATENCY_SAMPLING = 1024;
    /** Default {@link #latencyInterval(Duration)}. */
    public static final Duration DEFAULT_LATENCY_INTERVAL = Duration.ofSeconds(1);
    /** Shortest {@link #latencyInterval(Duration)}. */
    public static final Duration MIN_LATENCY_INTERVAL = Duration.ofMillis(10);
    /** Longest {@link #latencyInterval(Duration)}. */
    public static final Duration MAX_LATENCY_INTERVAL = Duration.ofHours(1);
    /** Largest {@link #jfrRequestSampling(int)}. */
    public static final int MAX_JFR_REQUEST_SAMPLING = 1 << 30;

    // read by EngineSettings, which checks and resolves them at build
    final Task<Q, R> task;
    int workers = 1;
    int maxWorkers = -1;
    int ringSize = 1024;
    /** -1 until set: then {@link EngineDefaults#maxPendingPerWorker(boolean, int)}. */
    int maxPendingPerWorker = -1;
    boolean adaptiveBinding = true;
    long bindingTargetNs = DEFAULT_BINDING_TARGET.toNanos();
    int workerQueueCapacity = -1;
    int maxParked = -1;
    int maxParkedPerKey = -1;
    Policy policy = Policy.leastLoaded();
    /** null until set: then chosen from the machine, {@link EngineDefaults#threadingMode(int, int, int, boolean)}. */
    ThreadingMode threadingMode;
    boolean singleProducer;
    int busyApplicationThreads = 1;
    Supplier<IdleStrategy> balancerIdleStrategy = EngineDefaults::idleStrategy;
    Supplier<IdleStrategy> workerIdleStrategy = EngineDefaults::idleStrategy;
    int[] pinCpus;
    ErrorHandler errorHandler = EngineDefaults::logError;
    ThreadFactory threadFactory = EngineDefaults::daemonThread;
    long stallThresholdNs = DEFAULT_STALL_THRESHOLD.toNanos();
    NanoClock clock = SystemNanoClock.INSTANCE;
    boolean latencyHistograms = Boolean.getBoolean(LATENCY_PROPERTY);
    long latencyIntervalNs = DEFAULT_LATENCY_INTERVAL.toNanos();
    /** 0 until set: then the property's value, checked at build. */
    int latencySampling;
    int jfrRequestSampling;
    boolean manualWorkers;
    boolean manualWatchdog;
    Path countersDirectory;

    BalancerBuilder(final Task<Q, R> task)
    {
        this.task = task;
    }

    /**
     * @param workers how many worker threads; 1 to {@link #MAX_WORKERS}, or 0 for a balancer whose workers are all
     *                added later ({@link Balancer#addWorker(WorkerLink)} for remote ones; needs {@link #maxWorkers(int)}
     *                and a balancer thread of its own, so not {@link ThreadingMode#SHARED}). Default 1.
     * @return this.
     */
    public BalancerBuilder<Q, R> workers(final int workers)
    {
        this.workers = checkRange("workers", workers, 0, MAX_WORKERS);
        return this;
    }

    /**
     * @param maxWorkers most workers the pool may grow to with {@link Balancer#addWorker()}: everything sized per
     *                   worker (queues, jobs, counters) is allocated for this many at build, so adding a worker
     *                   allocates only its thread. At least {@code workers}, at most {@link #MAX_WORKERS}.
     *                   Default {@code workers} (a fixed pool).
     * @return this.
     */
    public BalancerBuilder<Q, R> maxWorkers(final int maxWorkers)
    {
        this.maxWorkers = checkRange("maxWorkers", maxWorkers, 1, MAX_WORKERS);
        return this;
    }

    /**
     * @param ringSize slots of the ingress ring: a power of 2, {@link #MIN_RING_SIZE} to {@link #MAX_RING_SIZE}.
     *                 Default 1024.
     * @return this.
     */
    public BalancerBuilder<Q, R> ringSize(final int ringSize)
    {
        this.ringSize = checkPowerOfTwo("ringSize", ringSize, MIN_RING_SIZE, MAX_RING_SIZE);
        return this;
    }

    /**
     * @param maxPendingPerWorker most requests queued on or running at one worker: the ceiling of the adaptive cap
     *                            ({@link #adaptiveBinding(boolean)}), or the cap itself when binding is fixed. 1 to
     *                            {@link #MAX_PENDING_PER_WORKER}, at most the worker queue capacity. Default with
     *                            adaptive binding 1,024 (halved for every doubling of {@code maxWorkers} past 16, never
     *                            below 16, so that the jobs preallocated stay near 50,000); with fixed binding 16.
     * @return this.
     */
    public BalancerBuilder<Q, R> maxPendingPerWorker(final int maxPendingPerWorker)
    {
        this.maxPendingPerWorker = checkRange("maxPendingPerWorker", maxPendingPerWorker, 1, MAX_PENDING_PER_WORKER);
        return this;
    }

    /**
     * Whether the cap on each worker's pending requests adapts to the tasks while the balancer runs. On: each worker
     * times one task in 64 (two clock reads; the others read none) and keeps an estimate of the time a task takes
     * there, which one descheduled task barely moves; every 64 dispatches (every {@code cap} if fewer) the balancer
     * sets one cap for every worker,
     * {@link #bindingTarget(Duration)} divided by the slowest worker's estimate, from 1 to
     * {@code maxPendingPerWorker}. Tiny tasks get a deep queue (batching, throughput), tasks as long as the target get
     * 1 (late binding: a request waits in the ring, not behind a long task). The cap starts at the ceiling and moves
     * after the first tasks; a worker that has not timed a task yet (a remote one never does) does not count.
     * Off: the cap is {@code maxPendingPerWorker}, always.
     *
     * @param on default true.
     * @return this.
     */
    public BalancerBuilder<Q, R> adaptiveBinding(final boolean on)
    {
        this.adaptiveBinding = on;
        return this;
    }

    /**
     * @param target how much work, in time, the adaptive cap lets queue at one worker: about the longest a request
     *               waits behind others already bound to its worker. From {@link #MIN_BINDING_TARGET} to
     *               {@link #MAX_BINDING_TARGET}. Default {@link #DEFAULT_BINDING_TARGET}.
     * @return this.
     * @throws NullPointerException     when {@code target} is null.
     * @throws IllegalArgumentException naming the value when it is out of range.
     */
    public BalancerBuilder<Q, R> bindingTarget(final Duration target)
    {
        Balancer.requireNonNull(target, "target");
        if (target.compareTo(MIN_BINDING_TARGET) < 0 || target.compareTo(MAX_BINDING_TARGET) > 0)
        {
            throw new IllegalArgumentException("target must be " + MIN_BINDING_TARGET + " to " + MAX_BINDING_TARGET +
                ": target=" + target);
        }
        this.bindingTargetNs = target.toNanos();
        return this;
    }

    /**
     * @param workerQueueCapacity slots of each worker's SPSC queue: a power of 2, 2 to
     *                            {@link #MAX_WORKER_QUEUE_CAPACITY}. Default: the smallest power of 2 that holds
     *                            {@code maxPendingPerWorker}.
     * @return this.
     */
    public BalancerBuilder<Q, R> workerQueueCapacity(final int workerQueueCapacity)
    {
        this.workerQueueCapacity =
            checkPowerOfTwo("workerQueueCapacity", workerQueueCapacity, 2, MAX_WORKER_QUEUE_CAPACITY);
        return this;
    }

    /**
     * @param maxParked most keyed requests held by the balancer behind a full worker, all keys together; when
     *                  reached the balancer stops taking from the ring until one is released. 1 to
     *                  {@link #MAX_PARKED}. Default {@code maxWorkers * maxPendingPerWorker}.
     * @return this.
     */
    public BalancerBuilder<Q, R> maxParked(final int maxParked)
    {
        this.maxParked = checkRange("maxParked", maxParked, 1, MAX_PARKED);
        return this;
    }

    /**
     * @param maxParkedPerKey most requests of one key parked behind its worker; past it the key's next request is
     *                        answered with {@link KeyBacklogFullException} (and counted) instead of parking. 1 to
     *                        {@code maxParked}. Default: no bound but {@code maxParked}'s, so a key that is merely
     *                        busy gets backpressure (the ring waits), not errors. Whatever this says, a key whose worker is
     *                        stalled may park at most half of {@code maxParked} (at least 1): past that its requests
     *                        are answered with {@link KeyBacklogFullException}, so that one stuck key cannot take all
     *                        of the parking and freeze the other keys.
     * @return this.
     */
    public BalancerBuilder<Q, R> maxParkedPerKey(final int maxParkedPerKey)
    {
        this.maxParkedPerKey = checkRange("maxParkedPerKey", maxParkedPerKey, 1, MAX_PARKED);
        return this;
    }

    /**
     * @param policy how a worker is picked. Default {@link Policy#leastLoaded()}.
     * @return this.
     */
    public BalancerBuilder<Q, R> policy(final Policy policy)
    {
        this.policy = Balancer.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * @param threadingMode which threads run the balancer. Default chosen from the machine:
     *                      {@link ThreadingMode#SHARED} for one worker (and {@code maxWorkers} 1) where
     *                      {@link Runtime#availableProcessors()}, which honours the CPU mask and a container's quota,
     *                      is under 3 and stall detection is on; {@link ThreadingMode#DEDICATED} otherwise (in SHARED
     *                      a long task on worker 0 would hold up dispatch to the other workers).
     * @return this.
     */
    public BalancerBuilder<Q, R> threadingMode(final ThreadingMode threadingMode)
    {
        this.threadingMode = Balancer.requireNonNull(threadingMode, "threadingMode");
        return this;
    }

    /**
     * How many of the application's own threads keep a core busy while the balancer runs: a requester that
     * busy-spins for its reply, an event loop that never parks. The engine cannot see them, so it counts what it is
     * told here with its own busy-spinning threads, and warns once (logged, counted in the busy-spin warnings, kept in
     * the error log) when together they outnumber {@link Runtime#availableProcessors()}: two spinners on one core turn
     * a sub-microsecond hand-off into milliseconds. Nothing else depends on it.
     *
     * @param threads 0 to {@link #MAX_WORKERS}. Default 1 (a requester that spins).
     * @return this.
     */
    public BalancerBuilder<Q, R> busyApplicationThreads(final int threads)
    {
        this.busyApplicationThreads = checkRange("busyApplicationThreads", threads, 0, MAX_WORKERS);
        return this;
    }

    /**
     * Promise that one thread at a time submits (a cheaper claim on the ring). Breaking the promise loses
     * requests, as with the Disruptor's single-producer ring.
     *
     * @return this.
     */
    public BalancerBuilder<Q, R> singleProducer()
    {
        this.singleProducer = true;
        return this;
    }

    /**
     * @param supplier of the balancer thread's idle strategy (one call, in {@link ThreadingMode#DEDICATED}
     *                 only: in SHARED the balancer runs on worker 0's thread with its idle strategy, in
     *                 INVOKER on the application's). Default back-off: spin 10 times, yield 1,000 times
     *                 (about a millisecond), then park 1 us doubling to 100 us.
     * @return this.
     */
    public BalancerBuilder<Q, R> balancerIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.balancerIdleStrategy = Balancer.requireNonNull(supplier, "balancerIdleStrategy");
        return this;
    }

    /**
     * @param supplier of each worker thread's idle strategy (one call per worker thread: strategies keep
     *                 state). Default back-off, as for the balancer.
     * @return this.
     */
    public BalancerBuilder<Q, R> workerIdleStrategy(final Supplier<IdleStrategy> supplier)
    {
        this.workerIdleStrategy = Balancer.requireNonNull(supplier, "workerIdleStrategy");
        return this;
    }

    /**
     * Pin each engine thread to a CPU, in this order: the balancer (in {@link ThreadingMode#DEDICATED}), then
     * worker 0, 1, ... (in {@link ThreadingMode#SHARED} worker 0's thread also runs the balancer). The watchdog
     * thread is not pinned. Where the OS refuses, the engine runs unpinned and logs so once.
     *
     * @param cpus one per engine thread, each a CPU this process may run on (its affinity mask: {@code taskset},
     *             a cpuset or a container can narrow it below {@code 0..availableProcessors-1}).
     * @return this.
     */
    public BalancerBuilder<Q, R> pinCpus(final int... cpus)
    {
        Balancer.requireNonNull(cpus, "cpus");
        final BitSet allowed = CpuSet.allowed();
        for (final int cpu : cpus)
        {
            if (cpu < 0 || !allowed.get(cpu))
            {
                throw new IllegalArgumentException("pinCpus names a CPU this process may not run on: cpu=" + cpu +
                    " (allowed " + allowed + "), cpus=" + Arrays.toString(cpus));
            }
        }
        this.pinCpus = cpus.clone();
        return this;
    }

    /**
     * @param errorHandler told of every reply that throws and every engine error (stalls, interrupt flags left
     *                     set). Default: logged through {@link System.Logger}. Called on engine threads; it should
     *                     not throw (if it does, the throw is dropped and the thread goes on).
     * @return this.
     */
    public BalancerBuilder<Q, R> errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = Balancer.requireNonNull(errorHandler, "errorHandler");
        return this;
    }

    /**
     * @param threadFactory makes the engine's threads; each is named after its role ({@code fulcrum-balancer},
     *                      {@code fulcrum-worker-0}, ..., {@code fulcrum-watchdog}). Default: daemon threads, so
     *                      that a thread left in user code after {@link Balancer#close(Duration)} gave up on it
     *                      cannot keep the JVM alive; call {@link Balancer#close()} before exit to have every
     *                      accepted request replied to.
     * @return this.
     */
    public BalancerBuilder<Q, R> threadFactory(final ThreadFactory threadFactory)
    {
        this.threadFactory = Balancer.requireNonNull(threadFactory, "threadFactory");
        return this;
    }

    /**
     * A worker whose current task (with its reply) has run longer than this is stalled: the policy stops choosing
     * it, the requests queued behind the task move to other workers (a key with a request running there stays),
     * the stall is reported once to the error handler as a {@link WorkerStalledException} with the thread's stack
     * trace, and the worker returns to rotation when the task ends. Watched by a daemon thread
     * ({@code fulcrum-watchdog}) that looks every eighth of the threshold (1 to 5 ms).
     *
     * @param threshold {@link Duration#ZERO} to turn stall detection off (no watchdog thread), else at least
     *                  {@link #MIN_STALL_THRESHOLD}. Default {@link #DEFAULT_STALL_THRESHOLD}.
     * @return this.
     */
    public BalancerBuilder<Q, R> stallThreshold(final Duration threshold)
    {
        Balancer.requireNonNull(threshold, "stallThreshold");
        if (!threshold.isZero() && (threshold.isNegative() || threshold.compareTo(MIN_STALL_THRESHOLD) < 0 ||
            threshold.compareTo(Duration.ofDays(1)) > 0))
        {
            throw new IllegalArgumentException(
                "stallThreshold must be 0 (off) or 1 ms to 1 day: stallThreshold=" + threshold);
        }
        this.stallThresholdNs = threshold.toNanos();
        return this;
    }

    /**
     * Per-worker latency histograms, read through {@link Balancer#stats()}: for each request, the time it waited
     * (from the submit, when the requester filled its ring slot, to the start of its task: the ring, the balancer
     * and the worker's queue) and the time in service (from the start of {@link Task#execute} to its return; the
     * reply is not included). Each is stamped with {@link System#nanoTime()}: one read on the submitting thread,
     * two on the worker, and one fence on the worker to record, without allocating. Each worker slot
     * ({@code maxWorkers}) gets its histograms at build, about 150 KB.
     * <p>
     * Off by default: each clock read costs about 20 to 35 ns on a path whose round trip is about 300 ns, which only
     * those who read the figures should pay (measured on a 2-core VM: the SHARED busy-spin round trip's p50 +54%
     * with every request stamped); {@link #latencySampling(int)} stamps one request in N instead. Off, the hot path
     * pays one predictable branch per stamp site.
     *
     * @param on true to record. Default: the system property {@value #LATENCY_PROPERTY} ({@code true} turns them
     *           on without a code change), else false.
     * @return this.
     */
    public BalancerBuilder<Q, R> latencyHistograms(final boolean on)
    {
        this.latencyHistograms = on;
        return this;
    }

    /**
     * Stamp and record one request in {@code everyN} (those whose ring sequence is a multiple of it), so that the
     * histograms' clock reads cost a round trip {@code 1/everyN} of what they cost when every request is stamped; the
     * others pass with no clock read. The histograms' counts are then of the sampled requests only. Needs
     * {@link #latencyHistograms(boolean)}.
     *
     * @param everyN a power of 2, 1 (every request) to {@link #MAX_LATENCY_SAMPLING}. Default: the system property
     *               {@value #LATENCY_SAMPLING_PROPERTY}, else 1.
     * @return this.
     */
    public BalancerBuilder<Q, R> latencySampling(final int everyN)
    {
        this.latencySampling = checkSampling("latencySampling", everyN);
        return this;
    }

    /**
     * @param interval how long each latency interval lasts: at its end every worker's figures (request count, p50,
     *                 p99, p99.9, max) are published to {@link Balancer#stats()} and its histograms start again.
     *                 {@link #MIN_LATENCY_INTERVAL} to {@link #MAX_LATENCY_INTERVAL}. Default
     *                 {@link #DEFAULT_LATENCY_INTERVAL}.
     * @return this.
     */
    public BalancerBuilder<Q, R> latencyInterval(final Duration interval)
    {
        Balancer.requireNonNull(interval, "latencyInterval");
        if (interval.compareTo(MIN_LATENCY_INTERVAL) < 0 || interval.compareTo(MAX_LATENCY_INTERVAL) > 0)
        {
            throw new IllegalArgumentException("latencyInterval must be " + MIN_LATENCY_INTERVAL + " to " +
                MAX_LATENCY_INTERVAL + ": latencyInterval=" + interval);
        }
        this.latencyIntervalNs = interval.toNanos();
        return this;
    }

    /**
     * One request in {@code oneIn}, per worker, is also a Flight Recorder event, {@code dev.fulcrum.RequestSample}
     * (worker, wait, service), when a recording wants it; with no recording nothing is allocated. Needs
     * {@link #latencyHistograms(boolean)}: the event carries the histograms' stamps.
     *
     * @param oneIn 0 for none, else 1 to {@link #MAX_JFR_REQUEST_SAMPLING}. Default 0.
     * @return this.
     */
    public BalancerBuilder<Q, R> jfrRequestSampling(final int oneIn)
    {
        this.jfrRequestSampling = checkRange("jfrRequestSampling", oneIn, 0, MAX_JFR_REQUEST_SAMPLING);
        return this;
    }

    /**
     * Keep the balancer's counters and error log in a memory-mapped file in {@code directory} (made if missing), which
     * another process can read while this one runs, and after it ends: {@code fulcrum-stat} does
     * ({@link dev.fulcrum.stat.CountersFile} reads it). One file per balancer, named after the process id and a
     * sequence; {@link Balancer#close()} marks it closed and leaves it. No JVM flag is needed. Unset, the system
     * property {@code fulcrum.counters.dir} or else the environment variable {@code FULCRUM_COUNTERS_DIR} names the
     * directory; with none of them the counters stay in memory.
     *
     * @param directory where the counters file goes; not null.
     * @return this.
     */
    public BalancerBuilder<Q, R> countersDirectory(final Path directory)
    {
        this.countersDirectory = Balancer.requireNonNull(directory, "countersDirectory");
        return this;
    }

    /**
     * Check the settings together, allocate everything the engine will ever use, and start its threads.
     *
     * @return a running balancer.
     * @throws IllegalArgumentException when settings do not fit together.
     */
    public Balancer<Q, R> build()
    {
        return new Balancer<>(new EngineSettings(this));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // for tests

    /**
     * For tests: no worker threads; {@link Balancer#workerInvoker(int)} steps each worker by hand.
     */
    BalancerBuilder<Q, R> manualWorkers()
    {
        this.manualWorkers = true;
        return this;
    }

    /**
     * For tests: no watchdog thread; {@link Balancer#watchdogInvoker()} steps it by hand, on {@code clock}'s time.
     */
    BalancerBuilder<Q, R> manualWatchdog(final NanoClock clock)
    {
        this.manualWatchdog = true;
        this.clock = clock;
        return this;
    }
}
