package dev.fulcrum.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * A fixed {@link ThreadPoolExecutor} used the most common way: {@code submit(callable)} returns a {@link Future}
 * (a new {@code FutureTask} per request) and the requester collects the result with {@code get()}. The requester
 * polls {@link Future#isDone()} with the same spinning or yielding wait as every other contender before it calls
 * {@code get()}, so that only the engine differs, not the requester's way of waiting.
 */
final class ThreadPoolFutureContender implements Contender
{
    private final String name;
    private final int workers;
    private final ThreadPoolExecutor executor;

    ThreadPoolFutureContender(final String name, final int workers, final int queueCapacity)
    {
        this.name = name;
        this.workers = workers;
        executor = ThreadPools.fixed(workers, queueCapacity, "tpe-future");
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int workers()
    {
        return workers;
    }

    @Override
    public void send(final Probe probe)
    {
        probe.future = executor.submit((Callable<Probe>)probe);
    }

    @Override
    public boolean repliesByCallback()
    {
        return false;
    }

    @Override
    public void awaitSpinning(final Probe probe)
    {
        final Future<Probe> future = probe.future;
        while (!future.isDone())
        {
            Thread.onSpinWait();
        }
        collect(probe, future);
    }

    @Override
    public void awaitYielding(final Probe probe)
    {
        final Future<Probe> future = probe.future;
        int idle = 0;
        while (!future.isDone())
        {
            if (idle < AbstractCallbackContender.SPINS_BEFORE_YIELD)
            {
                idle++;
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        collect(probe, future);
    }

    private static void collect(final Probe probe, final Future<Probe> future)
    {
        try
        {
            future.get();
            probe.markDone();
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("benchmark task failed: contender reported an error", ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a future", ex);
        }
    }

    @Override
    public double variancePending()
    {
        return Double.NaN;
    }

    @Override
    public void close()
    {
        ThreadPools.shutdown(executor);
    }

    @Override
    public String toString()
    {
        return name;
    }
}
