package dev.fulcrum.examples.ingest;

import dev.fulcrum.Task;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each balancer worker runs: write payloads to this worker thread's {@link PayloadSink.Writer}, and commit
 * them as a group once per batch.
 * <p>
 * Group commit: {@link #execute(Payload)} only copies the payload into the writer's buffer and remembers it;
 * {@link #onEndOfBatch()}, which the worker calls after it has run the last payload of the batch it drained from
 * its queue, writes the buffer out ({@code write(2)}), forces the file in durable mode ({@code fdatasync(2)}), and
 * then settles every payload of the batch: the body whose last payload that was gets its 202. So a force is paid
 * per batch, not per payload, and the batch grows with the load: a worker that is forcing does not drain, so what
 * arrives meanwhile makes the next batch. A batch is also cut inside {@code execute} once it holds
 * {@code FORCE_MAX_PAYLOADS} payloads or its oldest is {@code FORCE_MAX_DELAY_US} old, so that no payload waits
 * behind a long batch.
 * <p>
 * In queued mode the same happens without the force, and bodies were answered when queued; the batch's
 * {@code write(2)} still bounds how long a payload stays in the process only.
 * <p>
 * A worker thread that ends (its worker removed from the pool, or the balancer closed) commits and closes its
 * writer as its last act ({@link #releaseWriter()}, from {@link #threadFactory()}): a removal completes only once the
 * thread has ended, so only once its file is committed (forced, in durable mode) and closed. A worker added later
 * opens a writer of its own, a new file, with its first payload.
 * <p>
 * Threading: {@link #execute(Payload)}, {@link #onEndOfBatch()} and {@link #releaseWriter()} run on worker threads,
 * each on its own {@link Slot}; {@link #closeWriters()} runs once, after the balancer has stopped them.
 */
final class SinkTask implements Task<Payload, Void>
{
    private static final System.Logger LOG = System.getLogger(SinkTask.class.getName());

    private final PayloadSink sink;
    private final boolean force;
    private final int maxBatchPayloads;
    private final long maxBatchDelayNs;
    private final ThreadLocal<Slot> slots = new ThreadLocal<>();
    private final List<Slot> opened = new ArrayList<>();
    private int writersOpened; // guarded by opened
    private final AtomicLong commitFailures = new AtomicLong();
    private final LongAdder commits = new LongAdder();
    private final LongAdder payloadsCommitted = new LongAdder();
    private volatile boolean healthy = true;

    /**
     * @param sink             where the workers write.
     * @param force            force the file at every commit (durable acknowledgement).
     * @param maxBatchPayloads commit within {@code execute} once a batch has this many payloads.
     * @param maxBatchDelayNs  ... or once its oldest payload is this old.
     */
    SinkTask(final PayloadSink sink, final boolean force, final int maxBatchPayloads, final long maxBatchDelayNs)
    {
        this.sink = sink;
        this.force = force;
        this.maxBatchPayloads = maxBatchPayloads;
        this.maxBatchDelayNs = maxBatchDelayNs;
    }

    @Override
    public Void execute(final Payload payload) throws IOException
    {
        final Slot slot = slot();
        try
        {
            slot.writer.write(payload);
        }
        catch (final IOException ex)
        {
            failed(slot, ex); // the payload at hand fails through its reply
            throw ex;
        }
        final int size = slot.batch.size();
        if (0 == size)
        {
            slot.firstNs = System.nanoTime();
        }
        slot.batch.add(payload);
        if (size + 1 >= maxBatchPayloads || System.nanoTime() - slot.firstNs >= maxBatchDelayNs)
        {
            commit(slot);
        }
        return null;
    }

    @Override
    public void onEndOfBatch()
    {
        final Slot slot = slots.get();
        if (null != slot)
        {
            commit(slot);
        }
    }

    /**
     * @return a factory of the balancer's threads (daemon threads, as the core's default) whose last act is
     * {@link #releaseWriter()}.
     */
    ThreadFactory threadFactory()
    {
        return runnable ->
        {
            final Thread thread = new Thread(() ->
            {
                try
                {
                    runnable.run();
                }
                finally
                {
                    releaseWriter();
                }
            });
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * The calling worker thread is ending: commit what its writer holds (nothing, normally: every batch ends with
     * a commit) and close the writer. Nothing when the thread has no writer (the balancer's own thread, the
     * watchdog's, a worker that never wrote).
     */
    void releaseWriter()
    {
        final Slot slot = slots.get();
        if (null == slot)
        {
            return;
        }
        commit(slot); // a failure closes the writer and forgets it
        slots.remove();
        synchronized (opened)
        {
            if (!opened.remove(slot))
            {
                return;
            }
        }
        try
        {
            slot.writer.close();
        }
        catch (final IOException ex)
        {
            // committed before, so nothing acknowledged is lost with it
            LOG.log(System.Logger.Level.ERROR, "ingest: closing a leaving worker's writer failed", ex);
        }
    }

    /**
     * @return writers open now: one per worker that has written and not ended.
     */
    int openWriters()
    {
        synchronized (opened)
        {
            return opened.size();
        }
    }

    /**
     * @return commits (one {@code write(2)}, and one force in durable mode, each) so far.
     */
    long commits()
    {
        return commits.sum();
    }

    /**
     * @return payloads committed (durable in durable mode) so far.
     */
    long payloadsCommitted()
    {
        return payloadsCommitted.sum();
    }

    /**
     * @return how many writes or commits failed (their batches were lost, their bodies answered 503) so far.
     */
    long commitFailures()
    {
        return commitFailures.get();
    }

    /**
     * @return false after a commit failed, until one succeeds again.
     */
    boolean healthy()
    {
        return healthy;
    }

    /**
     * Commit, then close every writer still open; call once the workers have stopped (after
     * {@code Balancer.close()}, which joins their threads). A worker thread closes its own writer as it ends, so
     * this finds one only of a thread that did not end.
     *
     * @throws IOException the first failure; every writer is still closed.
     */
    void closeWriters() throws IOException
    {
        final List<Slot> toClose;
        synchronized (opened)
        {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        IOException first = null;
        for (final Slot slot : toClose)
        {
            try
            {
                commit(slot);
                slot.writer.close();
            }
            catch (final IOException ex)
            {
                first = null == first ? ex : first;
            }
        }
        if (null != first)
        {
            throw first;
        }
    }

    private Slot slot() throws IOException
    {
        Slot slot = slots.get();
        if (null == slot)
        {
            synchronized (opened)
            {
                slot = new Slot(sink.openWriter("w" + writersOpened++)); // never a name used before
                opened.add(slot);
            }
            slots.set(slot);
        }
        return slot;
    }

    private void commit(final Slot slot)
    {
        final ArrayList<Payload> batch = slot.batch;
        final int size = batch.size();
        if (0 == size)
        {
            return;
        }
        try
        {
            slot.writer.flush();
            if (force)
            {
                slot.writer.force();
            }
        }
        catch (final IOException ex)
        {
            failed(slot, ex);
            return;
        }
        healthy = true;
        commits.increment();
        payloadsCommitted.add(size);
        for (int i = 0; i < size; i++)
        {
            batch.get(i).body().settle(true);
        }
        batch.clear();
    }

    /**
     * A write or commit failed: the payloads of the batch are lost (their bodies get 503), and the writer is closed
     * and forgotten, so that the worker's next payload opens a new file rather than append after what may be half
     * a record.
     */
    private void failed(final Slot slot, final IOException ex)
    {
        healthy = false;
        final long failures = commitFailures.incrementAndGet();
        if (Long.bitCount(failures) == 1) // 1st, 2nd, 4th, 8th...: a failing disk must not flood the log
        {
            LOG.log(System.Logger.Level.ERROR, "ingest: sink write failed, the bodies of its batch answered 503, " +
                "a new file is opened: batch=" + slot.batch.size() + " commitFailures=" + failures, ex);
        }
        for (int i = 0, n = slot.batch.size(); i < n; i++)
        {
            slot.batch.get(i).body().settle(false);
        }
        slot.batch.clear();
        slots.remove();
        synchronized (opened)
        {
            opened.remove(slot);
        }
        try
        {
            slot.writer.close();
        }
        catch (final IOException closing)
        {
            ex.addSuppressed(closing);
        }
    }

    /**
     * One worker thread's writer and the payloads written to it since its last commit; touched by that thread only
     * (and by the closing thread once that one has stopped).
     */
    private static final class Slot
    {
        final PayloadSink.Writer writer;
        final ArrayList<Payload> batch = new ArrayList<>();
        long firstNs;

        Slot(final PayloadSink.Writer writer)
        {
            this.writer = writer;
        }
    }
}
