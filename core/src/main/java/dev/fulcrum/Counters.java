package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The engine's statistics: single-writer counters that any thread, and with a counters directory any process, may
 * read. Each counter is a 128-byte value record of its own in {@link CountersStorage} (Agrona's counters layout,
 * see {@link CountersLayout}), so no two writers ever share a cache line. Writers publish with release stores (a
 * plain store on x86) through a VarHandle at an offset computed from final fields; readers use volatile loads;
 * nothing here is a contended read-modify-write. The two exceptions add atomically and say so: the refused count,
 * striped over records so that requester threads seldom meet, and the count of errors the error queue dropped.
 * <p>
 * Ids, in the order of {@link CountersLayout}: the balancer's counters, the refused stripes, the hot keys, then
 * {@link CountersLayout#WORKER_COUNTERS} per worker slot: the balancer's view (pending, stalls, moved, stalled,
 * state), the worker's own (completed, failed, reply errors, activity, interrupts cleared), the watchdog's time in
 * task, and eight latency percentiles.
 */
final class Counters
{
    // balancer fields, written by whichever thread holds the balancer's baton (one at a time) unless said otherwise
    static final int DISPATCHED = 0;
    static final int KEYS_IN_FLIGHT = 1;
    static final int PARKED = 2;
    static final int KEY_BACKLOG_REJECTED = 3;
    static final int STALLS = 4;
    static final int MOVED = 5;
    /** Balancer thread's own activity count: odd while it delivers engine errors to replies (user code). */
    static final int BALANCER_ACTIVITY = 6;
    static final int BALANCER_INTERRUPTS_CLEARED = 7;
    /** Written by the sampler ({@link CountersSampler}, on the watchdog's thread). */
    static final int RING_DEPTH = 8;
    /** Written by the sampler. */
    static final int POOL_SIZE = 9;
    /** Written by the building thread. */
    static final int BUSY_SPIN_WARNINGS = 10;
    /** Added to atomically by any thread whose error the full error queue dropped. */
    static final int ERRORS_DROPPED = 11;
    /** Written by the sampler: errors the error log had no room for. */
    static final int ERRORS_UNLOGGED = 12;
    private static final int BALANCER_COUNTERS = CountersLayout.BALANCER_COUNTERS;

    // per worker, in the balancer's view: written by the baton holder
    static final int PENDING = 0;
    static final int WORKER_STALLS = 1;
    static final int WORKER_MOVED = 2;
    static final int WORKER_STALLED = 3;
    /** {@link WorkerStates#GONE}, {@link WorkerStates#RUNNING} or {@link WorkerStates#LEAVING}. */
    static final int WORKER_STATE = 4;

    // worker fields, written by worker thread w only
    static final int COMPLETED = 0;
    static final int FAILED = 1;
    static final int REPLY_ERRORS = 2;
    /** Odd while the worker is in user code (a task, its reply, the end-of-batch hook), even otherwise. */
    static final int ACTIVITY = 3;
    static final int INTERRUPTS_CLEARED = 4;
    /** Where the worker's own counters start in its block. */
    private static final int WORKER_OWN = 5;
    /** Where the sampler's time in task sits in a worker's block. */
    private static final int TIME_IN_TASK = 10;
    /** Where the eight latency counters start in a worker's block. */
    private static final int LATENCY = 11;

    // latency indexes, for latency(worker, index, value)
    static final int WAIT_P50 = 0;
    static final int WAIT_P99 = 1;
    static final int WAIT_P999 = 2;
    static final int WAIT_MAX = 3;
    static final int SERVICE_P50 = 4;
    static final int SERVICE_P99 = 5;
    static final int SERVICE_P999 = 6;
    static final int SERVICE_MAX = 7;
    static final int LATENCIES = 8;

    /** Hot keys of each kind (most in flight, most parked). */
    static final int HOT_KEYS = 4;
    /** Bytes of error log in a file; in memory, where only this process reads it, less. */
    static final int FILE_ERROR_LOG_LENGTH = 1 << 20;
    static final int MEMORY_ERROR_LOG_LENGTH = 64 << 10;

    /** Static final, so the JIT treats it as a constant. */
    private static final VarHandle LONGS = CountersStorage.LONG;
    private static final int SHIFT = 7; // COUNTER_LENGTH = 128 = 1 << 7
    private static final int WORKER_STRIDE = CountersLayout.WORKER_COUNTERS << SHIFT;
    private static final String[] BALANCER_LABELS = {
        "dispatched", "keys in flight", "parked", "key backlog rejected", "stalls", "moved", "balancer activity",
        "balancer interrupts cleared", "ring depth", "pool size", "busy-spin warnings", "errors dropped",
        "errors unlogged (log full)"};
    private static final String[] WORKER_LABELS = {
        "pending", "stalls", "moved", "stalled", "state", "completed", "failed", "reply errors", "activity",
        "interrupts cleared", "time in task ns", "wait p50 ns", "wait p99 ns", "wait p99.9 ns", "wait max ns",
        "service p50 ns", "service p99 ns", "service p99.9 ns", "service max ns"};

    static
    {
        if (CountersLayout.COUNTER_LENGTH != 1 << SHIFT || BALANCER_LABELS.length != BALANCER_COUNTERS ||
            WORKER_LABELS.length != CountersLayout.WORKER_COUNTERS)
        {
            throw new ExceptionInInitializerError("counters layout and labels disagree");
        }
    }

    private final CountersStorage storage;
    private final ByteBuffer buffer;
    private final int workers;
    /** Offset of the balancer's first counter's value. */
    private final int balancerBase;
    private final int refusedBase;
    private final int refusedMask;
    private final int hotKeysFirstId;
    private final int hotKeysBase;
    /** Offset of worker 0's first counter's value. */
    private final int workerBase;
    private final ErrorLog errorLog;

    /**
     * Counters in memory, no error log drained: for tests that need only the counters.
     */
    Counters(final int workers)
    {
        this(null, workers, workers, "test", "test", false);
    }

    /**
     * @param directory      where to keep the counters file, or null for memory only.
     * @param workers        worker slots ({@code maxWorkers}).
     * @param initialWorkers workers at build.
     * @param errorsDrained  true when a sampler will drain the error queue (else errors are not queued).
     * @throws IllegalStateException when the file cannot be made, naming the directory.
     */
    Counters(
        final Path directory,
        final int workers,
        final int initialWorkers,
        final String policy,
        final String threadingMode,
        final boolean errorsDrained)
    {
        this.workers = workers;
        final int stripes = refusedStripes(Runtime.getRuntime().availableProcessors());
        final int counters = BALANCER_COUNTERS + stripes + 2 * HOT_KEYS + workers * CountersLayout.WORKER_COUNTERS;
        storage = new CountersStorage(directory, counters,
            null == directory ? MEMORY_ERROR_LOG_LENGTH : FILE_ERROR_LOG_LENGTH);
        storage.describe(policy, threadingMode, workers, initialWorkers, stripes, HOT_KEYS);
        buffer = storage.buffer;

        for (int f = 0; f < BALANCER_COUNTERS; f++)
        {
            storage.allocate(CountersLayout.TYPE_DISPATCHED + f, -1, 0, BALANCER_LABELS[f]);
        }
        balancerBase = storage.valueOffset(0);
        final int firstStripe = storage.allocate(CountersLayout.TYPE_REFUSED, -1, 0, "refused (stripe 0)");
        for (int s = 1; s < stripes; s++)
        {
            storage.allocate(CountersLayout.TYPE_REFUSED, -1, s, "refused (stripe " + s + ")");
        }
        refusedBase = storage.valueOffset(firstStripe);
        refusedMask = stripes - 1;
        hotKeysFirstId = firstStripe + stripes;
        hotKeysBase = storage.valueOffset(hotKeysFirstId);
        for (int r = 0; r < HOT_KEYS; r++)
        {
            storage.allocate(CountersLayout.TYPE_HOT_KEY_IN_FLIGHT, -1, r, HotKeys.label(true, r));
        }
        for (int r = 0; r < HOT_KEYS; r++)
        {
            storage.allocate(CountersLayout.TYPE_HOT_KEY_PARKED, -1, r, HotKeys.label(false, r));
        }
        final int firstWorker = hotKeysFirstId + 2 * HOT_KEYS;
        for (int w = 0; w < workers; w++)
        {
            for (int f = 0; f < CountersLayout.WORKER_COUNTERS; f++)
            {
                storage.allocate(CountersLayout.TYPE_WORKER_PENDING + f, w, 0, "worker " + w + ": " + WORKER_LABELS[f]);
            }
        }
        workerBase = storage.valueOffset(firstWorker);
        storage.publish();
        errorLog = new ErrorLog(this, storage, errorsDrained);
    }

    /**
     * @return a power of 2: about two stripes per processor, 2 to 64.
     */
    static int refusedStripes(final int processors)
    {
        final int wanted = Math.max(2, Math.min(64, 2 * processors));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    int workers()
    {
        return workers;
    }

    /**
     * @return the counters file, or null when the counters are in memory only.
     */
    Path file()
    {
        return storage.file;
    }

    ErrorLog errorLog()
    {
        return errorLog;
    }

    CountersStorage storage()
    {
        return storage;
    }

    int hotKeysFirstId()
    {
        return hotKeysFirstId;
    }

    /**
     * Closing thread: mark the counters closed; they stay readable.
     */
    void close()
    {
        storage.close();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writers: each field has one writer (see the constants), publishing with a release store

    void balancer(final int field, final long value)
    {
        LONGS.setRelease(buffer, balancerBase + (field << SHIFT), value);
    }

    // balancer thread only
    void pending(final int worker, final long value)
    {
        LONGS.setRelease(buffer, workerBase + worker * WORKER_STRIDE + (PENDING << SHIFT), value);
    }

    // balancer thread only
    void balancerView(final int worker, final int field, final long value)
    {
        LONGS.setRelease(buffer, workerBase + worker * WORKER_STRIDE + (field << SHIFT), value);
    }

    // worker thread {@code worker} only
    void worker(final int worker, final int field, final long value)
    {
        LONGS.setRelease(buffer, workerBase + worker * WORKER_STRIDE + ((WORKER_OWN + field) << SHIFT), value);
    }

    // the sampler only
    void timeInTask(final int worker, final long ns)
    {
        LONGS.setRelease(buffer, workerBase + worker * WORKER_STRIDE + (TIME_IN_TASK << SHIFT), ns);
    }

    /**
     * The baton holder only ({@link HotKeys}): the count shown at hot-key rank {@code rank} (0 to
     * {@code HOT_KEYS - 1} in flight, then as many parked).
     */
    void hotKey(final int rank, final long count)
    {
        LONGS.setRelease(buffer, hotKeysBase + (rank << SHIFT), count);
    }

    /**
     * One writer per worker and index (the latency recorder): latency percentile {@code index} ({@link #WAIT_P50}
     * to {@link #SERVICE_MAX}) of {@code worker}, in nanoseconds.
     */
    void latency(final int worker, final int index, final long ns)
    {
        LONGS.setRelease(buffer, workerBase + worker * WORKER_STRIDE + ((LATENCY + index) << SHIFT), ns);
    }

    /**
     * The latency intervals' reader (under the worker's recorder lock, which also orders a slot's reset): one
     * interval's percentiles of {@code worker}, as {@link LatencyFigures} lays them out (count, p50, p99, p99.9,
     * max), into the eight latency counters.
     */
    void latencies(final int worker, final long[] wait, final long[] service)
    {
        latency(worker, WAIT_P50, wait[LatencyFigures.P50]);
        latency(worker, WAIT_P99, wait[LatencyFigures.P99]);
        latency(worker, WAIT_P999, wait[LatencyFigures.P999]);
        latency(worker, WAIT_MAX, wait[LatencyFigures.MAX]);
        latency(worker, SERVICE_P50, service[LatencyFigures.P50]);
        latency(worker, SERVICE_P99, service[LatencyFigures.P99]);
        latency(worker, SERVICE_P999, service[LatencyFigures.P999]);
        latency(worker, SERVICE_MAX, service[LatencyFigures.MAX]);
    }

    /**
     * Any thread: one more {@code trySubmit} refused, on the calling thread's stripe (an atomic add: threads whose
     * ids hash to the same stripe share it, others never meet).
     */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+, and this builds for 17
    void refused()
    {
        final long mixed = Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
        final int stripe = (int)(mixed >>> 40) & refusedMask;
        LONGS.getAndAdd(buffer, refusedBase + (stripe << SHIFT), 1L);
    }

    /**
     * Any thread: the error queue was full, so an error goes unlogged (an atomic add: errors are not the hot path).
     */
    void errorDropped()
    {
        LONGS.getAndAdd(buffer, balancerBase + (ERRORS_DROPPED << SHIFT), 1L);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // readers: any thread, volatile loads

    long balancer(final int field)
    {
        return (long)LONGS.getVolatile(buffer, balancerBase + (field << SHIFT));
    }

    long pending(final int worker)
    {
        return balancerView(worker, PENDING);
    }

    long balancerView(final int worker, final int field)
    {
        return (long)LONGS.getVolatile(buffer, workerBase + worker * WORKER_STRIDE + (field << SHIFT));
    }

    long worker(final int worker, final int field)
    {
        return (long)LONGS.getVolatile(buffer, workerBase + worker * WORKER_STRIDE + ((WORKER_OWN + field) << SHIFT));
    }

    long timeInTask(final int worker)
    {
        return (long)LONGS.getVolatile(buffer, workerBase + worker * WORKER_STRIDE + (TIME_IN_TASK << SHIFT));
    }

    long latency(final int worker, final int index)
    {
        return (long)LONGS.getVolatile(buffer, workerBase + worker * WORKER_STRIDE + ((LATENCY + index) << SHIFT));
    }

    long hotKey(final int rank)
    {
        return (long)LONGS.getVolatile(buffer, hotKeysBase + (rank << SHIFT));
    }

    /**
     * @return {@code trySubmit} calls refused so far: the sum over the stripes.
     */
    long refusedTotal()
    {
        long sum = 0;
        for (int s = 0; s <= refusedMask; s++)
        {
            sum += (long)LONGS.getVolatile(buffer, refusedBase + (s << SHIFT));
        }
        return sum;
    }
}
