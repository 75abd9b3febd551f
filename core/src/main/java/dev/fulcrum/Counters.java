package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The engine's statistics: single-writer counters that any thread, and with a counters directory any process, may
 * read. Each counter is a 128-byte value record of its own in {@link CountersStorage} (Agrona's counters layout,
 * see {@link CountersLayout}), so no two writers ever share a cache line. The live values sit in a {@code long[]}
 * laid out as the storage's bytes are (a counter's index is its value offset / 8): writers publish with release
 * stores (a plain store on x86) through an array VarHandle, which costs a bounds check where a byte-buffer view
 * costs that and more on every store (about 1.3 ns more per store here, and the round trip makes eight); readers in
 * this process use volatile loads of the array, so {@code stats()} is exact. The storage itself, which another
 * process reads, is filled from the array by {@link #publish()}: every tick of the sampler when there is a file (so
 * the file is at most a tick behind), and once more at close. Nothing here is a contended read-modify-write. The two exceptions add atomically and say so: the refused count,
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

    /** Static final, so the JIT treats them as constants. */
    private static final VarHandle LONGS = CountersStorage.LONG;
    private static final VarHandle LIVE = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);
    private static final int SHIFT = 7; // COUNTER_LENGTH = 128 = 1 << 7
    private static final int WORKER_STRIDE = CountersLayout.WORKER_COUNTERS << SHIFT;
    /** The same in the live array, whose elements are 8 bytes. */
    private static final int LONG_SHIFT = SHIFT - 3;
    private static final int WORKER_STRIDE_LONGS = WORKER_STRIDE >>> 3;
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
    private final int refusedMask;
    private final int hotKeysFirstId;
    private final int hotKeysBase;
    /** Offset of worker 0's first counter's value. */
    private final ErrorLog errorLog;
    /** The live values, at index (value offset / 8). */
    private final long[] live;
    private final int balancerAt;
    private final int refusedAt;
    private final int workerAt;
    /** Value offsets of the counters {@link #publish()} copies (all but the hot keys, written to the storage). */
    private final int[] published;

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
        final int balancerBase = storage.valueOffset(0);
        final int firstStripe = storage.allocate(CountersLayout.TYPE_REFUSED, -1, 0, "refused (stripe 0)");
        for (int s = 1; s < stripes; s++)
        {
            storage.allocate(CountersLayout.TYPE_REFUSED, -1, s, "refused (stripe " + s + ")");
        }
        final int refusedBase = storage.valueOffset(firstStripe);
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
        final int workerBase = storage.valueOffset(firstWorker);
        live = new long[buffer.capacity() >>> 3];
        balancerAt = balancerBase >>> 3;
        refusedAt = refusedBase >>> 3;
        workerAt = workerBase >>> 3;
        published = new int[counters - 2 * HOT_KEYS];
        int n = 0;
        for (int id = 0; id < counters; id++)
        {
            if (id < hotKeysFirstId || id >= firstWorker)
            {
                published[n++] = storage.valueOffset(id);
            }
        }
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
        LIVE.setRelease(live, balancerAt + (field << LONG_SHIFT), value);
    }

    // balancer thread only
    void pending(final int worker, final long value)
    {
        LIVE.setRelease(live, at(worker, PENDING), value);
    }

    // balancer thread only
    void balancerView(final int worker, final int field, final long value)
    {
        LIVE.setRelease(live, at(worker, field), value);
    }

    // worker thread {@code worker} only
    void worker(final int worker, final int field, final long value)
    {
        LIVE.setRelease(live, at(worker, WORKER_OWN + field), value);
    }

    // the sampler only
    void timeInTask(final int worker, final long ns)
    {
        LIVE.setRelease(live, at(worker, TIME_IN_TASK), ns);
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
        LIVE.setRelease(live, at(worker, LATENCY + index), ns);
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
        LIVE.getAndAdd(live, refusedAt + (stripe << LONG_SHIFT), 1L);
    }

    /**
     * Any thread: the error queue was full, so an error goes unlogged (an atomic add: errors are not the hot path).
     */
    void errorDropped()
    {
        LIVE.getAndAdd(live, balancerAt + (ERRORS_DROPPED << LONG_SHIFT), 1L);
    }

    /**
     * @return the live array's index of {@code field} (counted from the start of a worker's block) of {@code worker}.
     */
    private int at(final int worker, final int field)
    {
        return workerAt + worker * WORKER_STRIDE_LONGS + (field << LONG_SHIFT);
    }

    /**
     * The sampler's thread (or the closing thread once it has ended): copy the live values into the storage, where
     * another process reads them.
     */
    void publish()
    {
        for (final int offset : published)
        {
            LONGS.setRelease(buffer, offset, (long)LIVE.getVolatile(live, offset >>> 3));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // readers: any thread, volatile loads

    long balancer(final int field)
    {
        return (long)LIVE.getVolatile(live, balancerAt + (field << LONG_SHIFT));
    }

    long pending(final int worker)
    {
        return balancerView(worker, PENDING);
    }

    long balancerView(final int worker, final int field)
    {
        return (long)LIVE.getVolatile(live, at(worker, field));
    }

    long worker(final int worker, final int field)
    {
        return (long)LIVE.getVolatile(live, at(worker, WORKER_OWN + field));
    }

    long timeInTask(final int worker)
    {
        return (long)LIVE.getVolatile(live, at(worker, TIME_IN_TASK));
    }

    long latency(final int worker, final int index)
    {
        return (long)LIVE.getVolatile(live, at(worker, LATENCY + index));
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
            sum += (long)LIVE.getVolatile(live, refusedAt + (s << LONG_SHIFT));
        }
        return sum;
    }
}
