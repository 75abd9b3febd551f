package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The engine's errors, kept in the counters file in Agrona's {@code DistinctErrorLog} layout (see
 * {@link CountersLayout}): one record per distinct error (same class, message, stack trace and causes), with how
 * many times it was seen and when first and last (epoch milliseconds).
 * <p>
 * Two sides. Any thread that reports an error ({@link EngineFaults}) offers it to a bounded MPSC queue
 * (preallocated; a full queue drops the error and counts it in {@link Counters#ERRORS_DROPPED}), so a worker pays
 * one offer, never a stack trace's formatting or a lock. The sampler ({@link CountersSampler}, on the watchdog's
 * thread) drains the queue and writes the log, alone: printing stack traces, comparing them with those already
 * logged, allocating as it needs to, far from the hot path. An error with no room left in the log is counted in
 * {@link Counters#ERRORS_UNLOGGED}. A record is written whole before its length is published with a release
 * store (pairs with the reader's volatile load of the length); a repeat adds to the count and then publishes its
 * time with a release store.
 */
final class ErrorLog
{
    /** Errors waiting for the sampler: bursts beyond this are counted, not kept. */
    static final int QUEUE_CAPACITY = 128;
    private static final int MAX_CAUSES = 64;
    private static final VarHandle INT = CountersStorage.INT;
    private static final VarHandle LONG = CountersStorage.LONG;

    private final Counters counters;
    private final ByteBuffer buffer;
    private final int base;
    private final int capacity;
    /** Null when no sampler drains it (counters in memory, no watchdog): errors are then not queued at all. */
    private final MpscVarHandleArrayQueue<Throwable> queue;
    private final List<Throwable> seen = new ArrayList<>();
    private int[] seenOffsets = new int[16];
    private int nextOffset;
    private long unlogged;

    ErrorLog(final Counters counters, final CountersStorage storage, final boolean drained)
    {
        this.counters = counters;
        this.buffer = storage.buffer;
        this.base = storage.errorLogOffset;
        this.capacity = storage.errorLogLength;
        this.queue = drained ? new MpscVarHandleArrayQueue<>(QUEUE_CAPACITY) : null;
    }

    /**
     * Any thread: queue {@code error} for the log. Never throws, never blocks.
     */
    void offer(final Throwable error)
    {
        if (null != queue && null != error && !queue.offer(error))
        {
            counters.errorDropped();
        }
    }

    /**
     * The sampler's thread only: log the queued errors, at most a queue's worth, so that threads reporting errors
     * without pause cannot keep the watchdog from its other work.
     *
     * @return errors taken from the queue.
     */
    int drain()
    {
        if (null == queue)
        {
            return 0;
        }
        int drained = 0;
        Throwable error;
        while (drained < QUEUE_CAPACITY && null != (error = queue.relaxedPoll()))
        {
            record(error, System.currentTimeMillis());
            drained++;
        }
        return drained;
    }

    /**
     * @return true when nothing is queued (or nothing is ever queued).
     */
    boolean isEmpty()
    {
        return null == queue || queue.isEmpty();
    }

    private void record(final Throwable error, final long nowMs)
    {
        try
        {
            for (int i = 0; i < seen.size(); i++)
            {
                if (same(seen.get(i), error))
                {
                    final int record = base + seenOffsets[i];
                    final int count = (int)INT.get(buffer, record + CountersLayout.ERROR_OBSERVATION_COUNT_OFFSET);
                    INT.setRelease(buffer, record + CountersLayout.ERROR_OBSERVATION_COUNT_OFFSET, count + 1);
                    LONG.setRelease(buffer, record + CountersLayout.ERROR_LAST_OBSERVATION_OFFSET, nowMs);
                    return;
                }
            }
            final int offset = nextOffset;
            if ((long)offset + CountersLayout.ERROR_ENCODED_OFFSET >= capacity)
            {
                counters.balancer(Counters.ERRORS_UNLOGGED, ++unlogged); // full: not even worth printing it
                return;
            }
            final byte[] text = encode(error);
            final int length = CountersLayout.ERROR_ENCODED_OFFSET + text.length;
            if ((long)offset + length > capacity)
            {
                counters.balancer(Counters.ERRORS_UNLOGGED, ++unlogged);
                return;
            }
            final int record = base + offset;
            buffer.put(record + CountersLayout.ERROR_ENCODED_OFFSET, text);
            INT.set(buffer, record + CountersLayout.ERROR_OBSERVATION_COUNT_OFFSET, 1);
            LONG.set(buffer, record + CountersLayout.ERROR_FIRST_OBSERVATION_OFFSET, nowMs);
            LONG.set(buffer, record + CountersLayout.ERROR_LAST_OBSERVATION_OFFSET, nowMs);
            INT.setRelease(buffer, record + CountersLayout.ERROR_LENGTH_OFFSET, length); // publishes the record
            nextOffset = offset + align(length);
            if (seen.size() == seenOffsets.length)
            {
                seenOffsets = Arrays.copyOf(seenOffsets, seenOffsets.length * 2);
            }
            seenOffsets[seen.size()] = offset;
            seen.add(error);
        }
        catch (final Throwable ex)
        {
            // an error whose message or stack trace cannot be read (user code throwing from getMessage): count it
            counters.balancer(Counters.ERRORS_UNLOGGED, ++unlogged);
        }
    }

    private static int align(final int length)
    {
        return (length + CountersLayout.ERROR_RECORD_ALIGNMENT - 1) & -CountersLayout.ERROR_RECORD_ALIGNMENT;
    }

    private static byte[] encode(final Throwable error)
    {
        final StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Agrona's rule for distinct errors: the same class, message and stack trace, and the same of every cause (to a
     * depth of {@link #MAX_CAUSES}, so that a cycle of causes cannot loop).
     */
    private static boolean same(final Throwable a, final Throwable b)
    {
        Throwable l = a;
        Throwable r = b;
        for (int depth = 0; depth < MAX_CAUSES; depth++)
        {
            if (l == r)
            {
                return true;
            }
            if (null == l || null == r || l.getClass() != r.getClass() ||
                !Objects.equals(l.getMessage(), r.getMessage()) || !sameStack(l.getStackTrace(), r.getStackTrace()))
            {
                return false;
            }
            l = l.getCause();
            r = r.getCause();
        }
        return true;
    }

    private static boolean sameStack(final StackTraceElement[] a, final StackTraceElement[] b)
    {
        if (a.length != b.length)
        {
            return false;
        }
        for (int i = 0; i < a.length; i++)
        {
            if (a[i].getLineNumber() != b[i].getLineNumber() || !a[i].getClassName().equals(b[i].getClassName()) ||
                !Objects.equals(a[i].getMethodName(), b[i].getMethodName()) ||
                !Objects.equals(a[i].getFileName(), b[i].getFileName()))
            {
                return false;
            }
        }
        return true;
    }
}
