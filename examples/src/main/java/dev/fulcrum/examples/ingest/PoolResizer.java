package dev.fulcrum.examples.ingest;

import dev.fulcrum.Balancer;
import dev.fulcrum.ThreadingMode;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * Grows or shrinks the balancer's pool to the size last asked for ({@link #resizeTo(int)}), with
 * {@link Balancer#addWorker()} and {@link Balancer#removeWorker(int)}, one worker at a time, until the pool has that
 * size. The latest size asked wins: a new one while a resize is under way takes over from where the pool is.
 * <p>
 * Nothing here blocks for a removal: {@code removeWorker} returns a future, completed (on a thread of the common
 * pool) once the worker holds nothing and its thread has ended, and that completion takes the next step. So a
 * removal is done only after the worker's thread has committed and closed its writer ({@link SinkTask}), and its
 * slot is free again only then: a pool asked to grow while removals are under way may wait for them to free slots
 * before it reaches the size. Removal takes the highest-numbered worker first, so worker 0 (which runs the balancer
 * in {@link ThreadingMode#SHARED}) is never removed: the pool never goes below one worker.
 * <p>
 * Threading: {@link #resizeTo(int)} from any thread but the event loops and the engine's (it may wait the few
 * microseconds a new worker's thread takes to start: the settings thread calls it); the readers from any thread,
 * without locking.
 */
final class PoolResizer
{
    private static final System.Logger LOG = System.getLogger(PoolResizer.class.getName());

    private final Balancer<?, ?> balancer;
    /** The workers this resizer has left running: all of them, nobody else changes the pool. */
    private final BitSet running = new BitSet();
    private volatile int workers;
    private volatile int target;
    private volatile int removalsInFlight;
    private volatile long failures;
    private boolean closed;

    /**
     * @param balancer whose pool to resize; its workers {@code 0..workers()-1} are running.
     */
    PoolResizer(final Balancer<?, ?> balancer)
    {
        this.balancer = balancer;
        final int workers = balancer.workers();
        running.set(0, workers);
        this.workers = workers;
        target = workers;
    }

    /**
     * Ask for a pool of {@code workers}: add or remove workers until it has that many. Returns once the additions
     * and the removals it can start now are started; the rest follows as removals complete.
     *
     * @param workers 1 to the balancer's {@code maxWorkers()}.
     * @throws IllegalArgumentException when out of that range.
     */
    synchronized void resizeTo(final int workers)
    {
        if (workers < 1 || workers > balancer.maxWorkers())
        {
            throw new IllegalArgumentException(
                "workers must be in 1.." + balancer.maxWorkers() + ": workers=" + workers);
        }
        target = workers;
        step();
    }

    /**
     * @return workers in the pool now, leaving ones out: {@link Balancer#workers()}, without the pool's lock (which
     * an addition holds while its thread starts).
     */
    int workers()
    {
        return workers;
    }

    /**
     * @return the pool size last asked for.
     */
    int target()
    {
        return target;
    }

    /**
     * @return removals started and not yet completed (their workers still finishing what they hold).
     */
    int removalsInFlight()
    {
        return removalsInFlight;
    }

    /**
     * @return additions or removals the balancer refused, unexpectedly (each logged).
     */
    long failures()
    {
        return failures;
    }

    /**
     * @return the pool's size now, the size asked for, removals under way and the capacity: a JSON object's fields,
     * for {@code /readyz}.
     */
    String json()
    {
        return "\"workers\":" + workers + ",\"targetWorkers\":" + target + ",\"workersLeaving\":" +
            removalsInFlight + ",\"maxWorkers\":" + balancer.maxWorkers();
    }

    /**
     * No more changes: the server is closing (the balancer's close completes what removals are under way).
     */
    synchronized void close()
    {
        closed = true;
    }

    /**
     * Add or remove until the pool has the size asked for, or until only a removal's completion can take the next
     * step; caller holds the lock.
     */
    private void step()
    {
        while (!closed && !balancer.isClosed())
        {
            final int size = running.cardinality();
            if (size < target)
            {
                if (!add())
                {
                    return;
                }
            }
            else if (size > target)
            {
                remove(running.length() - 1); // the highest: never worker 0, since target >= 1
            }
            else
            {
                return;
            }
        }
    }

    private boolean add()
    {
        try
        {
            running.set(balancer.addWorker());
            workers = running.cardinality();
            return true;
        }
        catch (final IllegalStateException ex)
        {
            if (removalsInFlight > 0 || balancer.isClosed())
            {
                return false; // every slot is taken until a removal completes, and that completion steps again
            }
            failed("a worker could not be added", ex);
            return false;
        }
    }

    private void remove(final int worker)
    {
        final CompletableFuture<Void> gone;
        try
        {
            gone = balancer.removeWorker(worker);
        }
        catch (final IllegalStateException ex)
        {
            if (!balancer.isClosed())
            {
                failed("worker " + worker + " could not be removed", ex);
            }
            closed = true; // the pool is not what this resizer thinks: change it no more
            return;
        }
        running.clear(worker);
        workers = running.cardinality();
        removalsInFlight++;
        gone.whenComplete((ignored, error) -> removed(worker, error));
    }

    private synchronized void removed(final int worker, final Throwable error)
    {
        removalsInFlight--;
        if (null != error)
        {
            failed("worker " + worker + " was removed, but", error);
        }
        step();
    }

    private void failed(final String what, final Throwable error)
    {
        failures++;
        LOG.log(System.Logger.Level.WARNING, "ingest: " + what + " (" + error.getMessage() + "): workers=" +
            running.cardinality() + " targetWorkers=" + target, error);
    }
}
