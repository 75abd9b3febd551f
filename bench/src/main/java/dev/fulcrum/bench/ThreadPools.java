package dev.fulcrum.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The thread pools a Java user would reach for, built the same way for every benchmark.
 */
final class ThreadPools
{
    private static final long SHUTDOWN_TIMEOUT_S = 10;

    private ThreadPools()
    {
    }

    /**
     * When the queue is full the submitter waits for room ({@code queue.put}), as Fulcrum's {@code submit} and the
     * Disruptor's {@code publishEvent} wait for room in their rings, rather than failing or running the task itself.
     */
    private static final RejectedExecutionHandler WAIT_FOR_ROOM = (task, executor) ->
    {
        if (executor.isShutdown())
        {
            throw new RejectedExecutionException("executor is shut down");
        }
        try
        {
            executor.getQueue().put(task);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for room in the queue", ex);
        }
    };

    /**
     * @return {@code Executors.newFixedThreadPool(workers)} except that its {@link LinkedBlockingQueue} is bounded
     * and a submitter waits while it is full.
     */
    static ThreadPoolExecutor fixed(final int workers, final int queueCapacity, final String name)
    {
        return new ThreadPoolExecutor(
            workers, workers, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(queueCapacity),
            new DaemonThreadFactory(name), WAIT_FOR_ROOM);
    }

    static void shutdown(final ExecutorService executor)
    {
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(SHUTDOWN_TIMEOUT_S, TimeUnit.SECONDS))
            {
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
