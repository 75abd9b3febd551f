package dev.fulcrum.examples.ingest;

import dev.fulcrum.Task;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What each balancer worker runs: write one payload to this worker thread's {@link PayloadSink.Writer}. After the
 * writer exists, a payload costs a thread-local lookup and a copy into the writer's buffer; nothing is allocated.
 * <p>
 * Writes are batched by time: a worker flushes its writer once the oldest unflushed payload is
 * {@code flushDelayNs} old (and the writer writes a full buffer out at once). The check needs a hook on the worker
 * thread between payloads, which a {@link Task} does not have; the worker's {@link IdleStrategy} is one: the
 * worker's runner calls it on the worker thread after every duty cycle, busy or not, and
 * {@link #flushingIdleStrategy(Supplier)} wraps it with the check. Flushing whenever the worker went idle was
 * tried first: a worker faster than its arrivals idles between almost every two payloads, which measured one
 * {@code write(2)} per 2.5 payloads at 100k payloads/s; a 1 ms delay makes it one per hundred or more, and bounds
 * how long a payload stays in memory only.
 * <p>
 * Threading: {@link #execute(Payload)} and the idle strategies run on worker threads; {@link #closeWriters()} runs
 * once, after the balancer has stopped them.
 */
final class SinkTask implements Task<Payload, Void>
{
    private static final System.Logger LOG = System.getLogger(SinkTask.class.getName());

    private final PayloadSink sink;
    private final long flushDelayNs;
    private final ThreadLocal<Slot> slots = new ThreadLocal<>();
    private final List<Slot> opened = new ArrayList<>();
    private final AtomicLong flushFailures = new AtomicLong();

    /**
     * @param sink         where the workers write.
     * @param flushDelayNs how old a worker's oldest unflushed payload must be before the worker flushes; 0 flushes
     *                     after every duty cycle that wrote.
     */
    SinkTask(final PayloadSink sink, final long flushDelayNs)
    {
        this.sink = sink;
        this.flushDelayNs = flushDelayNs;
    }

    @Override
    public Void execute(final Payload payload) throws IOException
    {
        final Slot slot = slot();
        slot.writer.write(payload.body(), payload.offset(), payload.length());
        if (0 == slot.unflushed++)
        {
            slot.firstUnflushedNs = System.nanoTime();
        }
        return null;
    }

    /**
     * @param backoff makes the idle strategy each worker would have had.
     * @return a supplier of per-worker idle strategies that flush the worker's writer when it is due.
     */
    Supplier<IdleStrategy> flushingIdleStrategy(final Supplier<IdleStrategy> backoff)
    {
        return () -> new FlushingIdleStrategy(this, backoff.get());
    }

    /**
     * @return how many flushes failed (their payloads were lost) so far.
     */
    long flushFailures()
    {
        return flushFailures.get();
    }

    /**
     * Flush and close every writer the workers opened; call once the workers have stopped (after
     * {@code Balancer.close()}, which joins their threads).
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
                flush(slot);
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
            final PayloadSink.Writer writer;
            synchronized (opened)
            {
                writer = sink.openWriter("w" + opened.size());
                slot = new Slot(writer);
                opened.add(slot);
            }
            slots.set(slot);
        }
        return slot;
    }

    private void flush(final Slot slot)
    {
        if (0 == slot.unflushed)
        {
            return;
        }
        final long payloads = slot.unflushed;
        slot.unflushed = 0;
        try
        {
            slot.writer.flush();
        }
        catch (final IOException ex)
        {
            final long failures = flushFailures.incrementAndGet();
            if (Long.bitCount(failures) == 1) // 1st, 2nd, 4th, 8th...: a failing disk must not flood the log
            {
                LOG.log(System.Logger.Level.ERROR,
                    "ingest: sink flush failed, payloads of the batch lost: batch=" + payloads +
                    ", flushFailures=" + failures, ex);
            }
        }
    }

    /**
     * One worker thread's writer and how many payloads it holds unflushed; touched by that thread only (and by the
     * closing thread once that one has stopped).
     */
    private static final class Slot
    {
        final PayloadSink.Writer writer;
        long unflushed;
        long firstUnflushedNs;

        Slot(final PayloadSink.Writer writer)
        {
            this.writer = writer;
        }
    }

    /**
     * A worker's idle strategy that first flushes the worker's writer when its oldest unflushed payload is
     * {@code flushDelayNs} old. Used by one worker thread only, as the balancer asks of idle strategies.
     */
    private static final class FlushingIdleStrategy implements IdleStrategy
    {
        private final SinkTask task;
        private final IdleStrategy delegate;
        private Slot slot;

        FlushingIdleStrategy(final SinkTask task, final IdleStrategy delegate)
        {
            this.task = task;
            this.delegate = delegate;
        }

        @Override
        public void idle(final int workCount)
        {
            flushIfDue();
            delegate.idle(workCount);
        }

        @Override
        public void idle()
        {
            flushIfDue();
            delegate.idle();
        }

        @Override
        public void reset()
        {
            delegate.reset();
        }

        @Override
        public String alias()
        {
            return "flushing(" + delegate.alias() + ")";
        }

        private void flushIfDue()
        {
            if (null == slot)
            {
                slot = task.slots.get(); // null until this worker's first payload
                if (null == slot)
                {
                    return;
                }
            }
            if (0 != slot.unflushed && System.nanoTime() - slot.firstUnflushedNs >= task.flushDelayNs)
            {
                task.flush(slot);
            }
        }
    }
}
