package dev.fulcrum.stat;

/**
 * The layout of a balancer's counters file: where each part is, what each counter is, and who writes it. Every
 * multi-byte value is in the platform's byte order (little-endian on x86-64 and AArch64), as Agrona's buffers
 * expect, so Agrona's {@code CountersReader} and {@code ErrorLogReader} read the sections as they are.
 * <pre>
 *  0                     HEADER_LENGTH (4 KiB)
 *  +---------------------+-------------------------+-----------------------+-------------------------+
 *  | header (this class) | metadata: one 512-byte   | values: one 128-byte  | error log: Agrona's     |
 *  | magic, version, pid,| record per counter      | record per counter    | DistinctErrorLog layout |
 *  | start, closed, ...  | (state, type, key, label)| (value at offset 0)   |                         |
 *  +---------------------+-------------------------+-----------------------+-------------------------+
 *                        each section starts on a 4 KiB boundary; their offsets and lengths are in the header
 * </pre>
 * The metadata and values sections follow Agrona's counters layout ({@code CountersManager}): counter {@code id}'s
 * metadata record is at {@code id * METADATA_LENGTH} in the metadata section and its value at
 * {@code id * COUNTER_LENGTH} in the values section. A metadata record holds its state (an int,
 * {@link #RECORD_ALLOCATED} once the record is complete), its type id ({@code TYPE_*} below), a key of
 * {@link #MAX_KEY_LENGTH} bytes (Fulcrum's: the worker index, an index within the kind, and for a hot key the key
 * and a version, see {@code KEY_*}) and a label (an int length, then UTF-8 bytes). Records end at the first one
 * whose state is {@link #RECORD_UNUSED}.
 * <p>
 * The header's magic is written last, with a release store: a reader that sees {@link #MAGIC} sees the whole
 * header and every metadata record. {@link #CLOSED_TIME_OFFSET} is 0 while the balancer is open and its close time
 * (epoch milliseconds) once closed; a process that dies without closing leaves it 0.
 * <p>
 * Every counter has one writer at a time, which publishes with a release store, except the refused stripes and
 * {@link #TYPE_ERRORS_DROPPED}, which any thread adds to atomically (each stripe on its own record, a thread
 * choosing its stripe by its id). Which thread writes what is said with each type id.
 */
public final class CountersLayout
{
    /** {@code "FLCR"} read as a little-endian int: the file is a Fulcrum counters file in this byte order. */
    public static final int MAGIC = 0x52434C46;
    /** The layout this class describes; a reader refuses a file of another version. */
    public static final int LAYOUT_VERSION = 1;

    // ---------------------------------------------------------------------------------------------------------------
    // header

    /** Int: {@link #MAGIC}, written last. */
    public static final int MAGIC_OFFSET = 0;
    /** Int: {@link #LAYOUT_VERSION}. */
    public static final int LAYOUT_VERSION_OFFSET = 4;
    /** Long: the writing process's id. */
    public static final int PID_OFFSET = 8;
    /** Long: when the balancer was built, epoch milliseconds. */
    public static final int START_TIME_OFFSET = 16;
    /** Long: 0 while open; when {@code close()} finished, epoch milliseconds (release store). */
    public static final int CLOSED_TIME_OFFSET = 24;
    /** Int: offset of the metadata section from the start of the file. */
    public static final int METADATA_OFFSET_OFFSET = 32;
    /** Int: length of the metadata section. */
    public static final int METADATA_LENGTH_OFFSET = 36;
    /** Int: offset of the values section. */
    public static final int VALUES_OFFSET_OFFSET = 40;
    /** Int: length of the values section. */
    public static final int VALUES_LENGTH_OFFSET = 44;
    /** Int: offset of the error log section. */
    public static final int ERROR_LOG_OFFSET_OFFSET = 48;
    /** Int: length of the error log section. */
    public static final int ERROR_LOG_LENGTH_OFFSET = 52;
    /** Int: counters allocated (records in use). */
    public static final int COUNTERS_OFFSET = 56;
    /** Int: worker slots ({@code maxWorkers}); each has {@link #WORKER_COUNTERS} counters. */
    public static final int MAX_WORKERS_OFFSET = 60;
    /** Int: workers at build. */
    public static final int WORKERS_OFFSET = 64;
    /** Int: how many {@link #TYPE_REFUSED} stripes. */
    public static final int REFUSED_STRIPES_OFFSET = 68;
    /** Int: how many hot keys of each kind ({@link #TYPE_HOT_KEY_IN_FLIGHT}, {@link #TYPE_HOT_KEY_PARKED}). */
    public static final int HOT_KEYS_OFFSET = 72;
    /** Int: the balancer's number within its process, from 0 (also in the file's name). */
    public static final int SEQUENCE_OFFSET = 76;
    /** An int length, then up to {@link #MAX_NAME_LENGTH} ASCII bytes: the policy's name ({@code leastLoaded}...). */
    public static final int POLICY_OFFSET = 128;
    /** An int length, then up to {@link #MAX_NAME_LENGTH} ASCII bytes: the threading mode ({@code DEDICATED}...). */
    public static final int THREADING_MODE_OFFSET = 256;
    /** Longest policy or threading mode name kept. */
    public static final int MAX_NAME_LENGTH = 124;
    /** Length of the header; every section starts on a multiple of it. */
    public static final int HEADER_LENGTH = 4096;
    /** Alignment of every section's offset and length. */
    public static final int SECTION_ALIGNMENT = 4096;

    // ---------------------------------------------------------------------------------------------------------------
    // Agrona's counters layout (the same numbers as org.agrona.concurrent.status.CountersReader)

    /** A metadata record's state: not used, and no record follows. */
    public static final int RECORD_UNUSED = 0;
    /** A metadata record's state: a counter. */
    public static final int RECORD_ALLOCATED = 1;
    /** Length of a metadata record. */
    public static final int METADATA_LENGTH = 512;
    /** Length of a value record: two cache lines, so no two counters share one. */
    public static final int COUNTER_LENGTH = 128;
    /** In a metadata record: the int type id. */
    public static final int TYPE_ID_OFFSET = 4;
    /** In a metadata record: a long, {@link Long#MAX_VALUE} (never freed for reuse). */
    public static final int FREE_FOR_REUSE_DEADLINE_OFFSET = 8;
    /** In a metadata record: the key, {@link #MAX_KEY_LENGTH} bytes. */
    public static final int KEY_OFFSET = 16;
    /** Length of a metadata record's key. */
    public static final int MAX_KEY_LENGTH = 112;
    /** In a metadata record: the label's int length, then its UTF-8 bytes. */
    public static final int LABEL_OFFSET = 128;
    /** Longest label. */
    public static final int MAX_LABEL_LENGTH = 380;

    // Fulcrum's key, inside a metadata record's key

    /** In a key: int, the worker the counter belongs to, or -1. */
    public static final int KEY_WORKER_OFFSET = 0;
    /** In a key: int, the stripe of a refused counter or the rank of a hot key (from 0), else 0. */
    public static final int KEY_INDEX_OFFSET = 4;
    /** In a key: long, the key a hot-key counter shows (valid while its label names one). */
    public static final int KEY_HOT_KEY_OFFSET = 8;
    /**
     * In a key: long, the label's version: odd while its writer changes the label (only hot keys' labels change),
     * so a reader that sees the same even version before and after reading the label read it whole.
     */
    public static final int KEY_LABEL_VERSION_OFFSET = 16;

    // Agrona's DistinctErrorLog layout (the same numbers as org.agrona.concurrent.errors.DistinctErrorLog)

    /** In an error record: int, the record's length (header and text); 0 ends the log. */
    public static final int ERROR_LENGTH_OFFSET = 0;
    /** In an error record: int, how many times this error was seen. */
    public static final int ERROR_OBSERVATION_COUNT_OFFSET = 4;
    /** In an error record: long, when it was last seen, epoch milliseconds. */
    public static final int ERROR_LAST_OBSERVATION_OFFSET = 8;
    /** In an error record: long, when it was first seen, epoch milliseconds. */
    public static final int ERROR_FIRST_OBSERVATION_OFFSET = 16;
    /** In an error record: the error's stack trace, UTF-8, to the record's length. */
    public static final int ERROR_ENCODED_OFFSET = 24;
    /** Error records start on multiples of this. */
    public static final int ERROR_RECORD_ALIGNMENT = 8;

    // ---------------------------------------------------------------------------------------------------------------
    // type ids: the balancer's counters (ids 0 to BALANCER_COUNTERS - 1, in this order)

    /** Total: requests handed to workers (a moved request counts again). Balancer. */
    public static final int TYPE_DISPATCHED = 1000;
    /** Now: distinct keys with requests in flight. Balancer. */
    public static final int TYPE_KEYS_IN_FLIGHT = 1001;
    /** Now: keyed requests parked behind a full worker. Balancer. */
    public static final int TYPE_PARKED = 1002;
    /** Total: keyed requests answered with {@code KeyBacklogFullException}. Balancer. */
    public static final int TYPE_KEY_BACKLOG_REJECTED = 1003;
    /** Total: stalls, all workers. Balancer. */
    public static final int TYPE_STALLS = 1004;
    /** Total: requests moved off stalled or leaving workers. Balancer. */
    public static final int TYPE_MOVED = 1005;
    /** Total: the balancer thread's activity count, odd while it delivers engine errors to replies. Balancer. */
    public static final int TYPE_BALANCER_ACTIVITY = 1006;
    /** Total: interrupt flags cleared on the balancer's own thread. Balancer. */
    public static final int TYPE_BALANCER_INTERRUPTS_CLEARED = 1007;
    /** Now: ring slots claimed by requesters and not yet taken by the balancer. Watchdog. */
    public static final int TYPE_RING_DEPTH = 1008;
    /** Now: workers in the pool (slots not gone). Watchdog. */
    public static final int TYPE_POOL_SIZE = 1009;
    /** Total: warnings that more threads busy-spin than there are processors. The building thread. */
    public static final int TYPE_BUSY_SPIN_WARNINGS = 1010;
    /** Total: errors not logged because the error queue was full. Any reporting thread (atomic add). */
    public static final int TYPE_ERRORS_DROPPED = 1011;
    /** Total: errors not logged because the error log had no room for a new one. Watchdog. */
    public static final int TYPE_ERRORS_UNLOGGED = 1012;
    /** How many balancer counters, ids 0 to this minus 1. */
    public static final int BALANCER_COUNTERS = 13;

    /**
     * Total, one counter per stripe (ids from {@link #BALANCER_COUNTERS}): {@code trySubmit} calls refused because
     * the ring was full; the sum over the stripes is the total. Requester threads (atomic add on their stripe).
     */
    public static final int TYPE_REFUSED = 1100;
    /**
     * Now, one counter per rank (after the stripes): a key with the most requests in flight, its count as the
     * value and the key in the label ({@code "hot key in flight #1: key=42"}, or {@code ": none"}). Balancer,
     * refreshed every few thousand duty cycles and whenever the key table empties.
     */
    public static final int TYPE_HOT_KEY_IN_FLIGHT = 1200;
    /** Now, one counter per rank (after the in-flight ones): a key with the most requests parked, as above. */
    public static final int TYPE_HOT_KEY_PARKED = 1201;

    // type ids: per worker, WORKER_COUNTERS counters for each slot, in this order, after the hot keys

    /** Now: requests handed to the worker and not yet completed. Balancer. */
    public static final int TYPE_WORKER_PENDING = 2000;
    /** Total: times the worker stalled. Balancer. */
    public static final int TYPE_WORKER_STALLS = 2001;
    /** Total: requests moved off the worker while it was stalled or leaving. Balancer. */
    public static final int TYPE_WORKER_MOVED = 2002;
    /** Now: 1 while the worker is stalled, else 0. Balancer. */
    public static final int TYPE_WORKER_STALLED = 2003;
    /** Now: the slot's lifecycle, {@link #WORKER_GONE}, {@link #WORKER_RUNNING} or {@link #WORKER_LEAVING}. */
    public static final int TYPE_WORKER_STATE = 2004;
    /** Total: requests the worker finished, the task returning or throwing. Worker. */
    public static final int TYPE_WORKER_COMPLETED = 2005;
    /** Total: requests whose task threw. Worker. */
    public static final int TYPE_WORKER_FAILED = 2006;
    /** Total: replies (or end-of-batch hooks) that threw. Worker. */
    public static final int TYPE_WORKER_REPLY_ERRORS = 2007;
    /** Total: the worker's activity count, odd while in user code. Worker. */
    public static final int TYPE_WORKER_ACTIVITY = 2008;
    /** Total: interrupt flags user code left set on the worker's thread, cleared. Worker. */
    public static final int TYPE_WORKER_INTERRUPTS_CLEARED = 2009;
    /** Now: nanoseconds the worker has been in its current task (0 when not in one), as the watchdog sees it. */
    public static final int TYPE_WORKER_TIME_IN_TASK = 2010;
    /**
     * Now: the wait (submit to task start) 50th percentile of the last latency interval, ns; written by the
     * interval reader (the watchdog's thread) with {@code latencyHistograms(true)}, else 0. So are the seven below.
     */
    public static final int TYPE_WORKER_WAIT_P50 = 2011;
    /** Now: queue wait 99th percentile, ns. */
    public static final int TYPE_WORKER_WAIT_P99 = 2012;
    /** Now: queue wait 99.9th percentile, ns. */
    public static final int TYPE_WORKER_WAIT_P999 = 2013;
    /** Now: queue wait maximum, ns. */
    public static final int TYPE_WORKER_WAIT_MAX = 2014;
    /** Now: service time 50th percentile, ns. */
    public static final int TYPE_WORKER_SERVICE_P50 = 2015;
    /** Now: service time 99th percentile, ns. */
    public static final int TYPE_WORKER_SERVICE_P99 = 2016;
    /** Now: service time 99.9th percentile, ns. */
    public static final int TYPE_WORKER_SERVICE_P999 = 2017;
    /** Now: service time maximum, ns. */
    public static final int TYPE_WORKER_SERVICE_MAX = 2018;
    /** Counters per worker slot: type ids {@link #TYPE_WORKER_PENDING} to {@link #TYPE_WORKER_SERVICE_MAX}. */
    public static final int WORKER_COUNTERS = 19;

    /** {@link #TYPE_WORKER_STATE}: not in the pool. */
    public static final int WORKER_GONE = 0;
    /** {@link #TYPE_WORKER_STATE}: in the pool (chosen unless {@link #TYPE_WORKER_STALLED} is 1). */
    public static final int WORKER_RUNNING = 1;
    /** {@link #TYPE_WORKER_STATE}: being removed. */
    public static final int WORKER_LEAVING = 2;

    private CountersLayout()
    {
    }

    /**
     * @param typeId a counter's type id.
     * @return true for a total (it only grows, so a rate per second means something), false for a value of now
     * (a level, such as pending or ring depth).
     */
    public static boolean isTotal(final int typeId)
    {
        switch (typeId)
        {
            case TYPE_DISPATCHED:
            case TYPE_KEY_BACKLOG_REJECTED:
            case TYPE_STALLS:
            case TYPE_MOVED:
            case TYPE_BALANCER_ACTIVITY:
            case TYPE_BALANCER_INTERRUPTS_CLEARED:
            case TYPE_BUSY_SPIN_WARNINGS:
            case TYPE_ERRORS_DROPPED:
            case TYPE_ERRORS_UNLOGGED:
            case TYPE_REFUSED:
            case TYPE_WORKER_STALLS:
            case TYPE_WORKER_MOVED:
            case TYPE_WORKER_COMPLETED:
            case TYPE_WORKER_FAILED:
            case TYPE_WORKER_REPLY_ERRORS:
            case TYPE_WORKER_ACTIVITY:
            case TYPE_WORKER_INTERRUPTS_CLEARED:
                return true;
            default:
                return false;
        }
    }

    /**
     * @param state a {@link #TYPE_WORKER_STATE} value.
     * @return its name: {@code GONE}, {@code RUNNING}, {@code LEAVING}, or the number when unknown.
     */
    public static String workerStateName(final long state)
    {
        if (WORKER_GONE == state)
        {
            return "GONE";
        }
        if (WORKER_RUNNING == state)
        {
            return "RUNNING";
        }
        return WORKER_LEAVING == state ? "LEAVING" : Long.toString(state);
    }
}
