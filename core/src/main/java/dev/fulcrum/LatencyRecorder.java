package dev.fulcrum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's latency histograms, written by that worker's thread only and read one interval at a time by the
 * interval reader ({@link LatencyIntervals}): for each request the time it waited (submit stamp to the start of its
 * task: the ring, the balancer and the worker's queue) and the time in service (start to end of
 * {@link Task#execute}; the reply is not included).
 * <p>
 * This does what HdrHistogram's {@code SingleWriterRecorder} does, for two histograms written together: the
 * worker records into an active pair, and the reader swaps in a fresh pair and waits until the worker has left
 * any recording that may still use the old one. {@code SingleWriterRecorder}'s phaser costs two atomic
 * read-modify-writes per value, four per request for two recorders; here one request's two values take one
 * volatile store (entering, a store-load fence) and one release store (leaving), and no atomic instruction. The
 * pair is swapped as one reference, so both histograms of an interval count the same requests.
 * <p>
 * Memory: two pairs per worker slot (the active one and the last completed interval, recycled at the next) of
 * {@link LogLinearHistogram}s, each to within 1/128 from 0 to 1 hour in about 36 KB; longer values are recorded as
 * 1 hour and counted as clamped. Nothing is allocated after construction.
 */
final class LatencyRecorder
{

    private static final VarHandle WRITER_EPOCH;

    static
    {
        try
        {
            WRITER_EPOCH = MethodHandles.lookup().findVarHandle(LatencyRecorder.class, "writerEpoch", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * The two histograms one request adds to.
     */
    static final class Pair
    {
        final LogLinearHistogram wait = new LogLinearHistogram();
        final LogLinearHistogram service = new LogLinearHistogram();

        void reset()
        {
            wait.reset();
            service.reset();
        }
    }

    private final int worker;
    private final int sampleEvery;
    /** The pair the worker records into; swapped by the reader. */
    private volatile Pair active = new Pair();
    /** The last completed interval: the reader's (and copiers', under this lock) until the next swap recycles it. */
    private Pair latest = new Pair();
    /** Odd while the worker records, even otherwise; written by the worker only. */
    @SuppressWarnings("unused") // through WRITER_EPOCH
    private volatile long writerEpoch;

    // the worker's own
    private long epoch;
    private int sampleCountdown;

    /**
     * @param worker      the slot this records for.
     * @param sampleEvery one request in this many is also a {@link RequestSampleEvent}, if a recording wants it;
     *                    0 for none.
     */
    LatencyRecorder(final int worker, final int sampleEvery)
    {
        this.worker = worker;
        this.sampleEvery = sampleEvery;
        this.sampleCountdown = sampleEvery;
    }

    /**
     * Worker thread only: record one request, after its reply.
     *
     * @param submitNs {@link System#nanoTime()} when the requester filled its ring slot.
     * @param startNs  when its task started.
     * @param endNs    when its task returned or threw.
     */
    void record(final long submitNs, final long startNs, final long endNs)
    {
        // never negative (the clocks of two threads); past 1 hour the histograms clamp and count it
        final long waitNs = Math.max(0, startNs - submitNs);
        final long serviceNs = Math.max(0, endNs - startNs);

        // odd: entering. A volatile store, so the load of active below cannot pass it: pairs with the reader's
        // store of active and then volatile load of this epoch in takeInterval()
        WRITER_EPOCH.setVolatile(this, ++epoch);
        final Pair pair = active;
        pair.wait.record(waitNs);
        pair.service.record(serviceNs);
        // even: left. The release publishes both counts to the reader's volatile load of the epoch
        WRITER_EPOCH.setRelease(this, ++epoch);

        if (sampleEvery > 0 && --sampleCountdown <= 0)
        {
            sampleCountdown = sampleEvery;
            JfrEvents.requestSample(worker, waitNs, serviceNs);
        }
    }

    /**
     * Interval reader, one at a time: end the interval. The worker goes on recording into the recycled pair (the
     * previous interval's, reset); the pair returned is no longer written to.
     *
     * @return the interval just ended; unchanged until the next call.
     */
    synchronized Pair takeInterval()
    {
        final Pair ended = active;
        final Pair next = latest;
        next.reset();

        // volatile store, then volatile load: either the worker's next entry comes after the load below and it
        // sees the new pair, or the load sees it entered (odd) and the wait below lasts until it has left
        active = next;
        final long seen = (long)WRITER_EPOCH.getVolatile(this);
        if (1 == (seen & 1))
        {
            int idle = 0;
            while (seen == (long)WRITER_EPOCH.getVolatile(this))
            {
                idle = Ingress.backoff(idle); // two record calls: only a descheduled worker takes long
            }
        }
        latest = ended;
        return ended;
    }

    /**
     * Any thread: a copy of the last completed interval's histogram; allocates, on the caller's thread, and holds
     * this recorder's lock only while it adds the interval into the copy.
     *
     * @param service true for the time in service, false for the wait.
     * @return the copy, the caller's alone.
     */
    LatencySnapshot snapshotLatest(final boolean service)
    {
        final LogLinearHistogram copy = new LogLinearHistogram();
        synchronized (this)
        {
            copy.add(service ? latest.service : latest.wait);
        }
        return new LatencySnapshot(copy);
    }

    /**
     * A slot about to be reused (its previous worker's thread has ended, the next one has not started): forget
     * everything recorded. Under this lock, so that it does not race an interval being taken.
     */
    synchronized void reset()
    {
        active.reset();
        latest.reset();
    }
}
