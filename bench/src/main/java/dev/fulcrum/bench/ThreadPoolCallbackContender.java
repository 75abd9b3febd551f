package dev.fulcrum.bench;

import java.util.concurrent.ThreadPoolExecutor;

/**
 * A fixed {@link ThreadPoolExecutor} (as {@code Executors.newFixedThreadPool}, but with a bounded queue), each
 * request a preallocated {@link Runnable} that runs the task and then calls the requester's reply.
 */
final class ThreadPoolCallbackContender extends AbstractCallbackContender
{
    private final ThreadPoolExecutor executor;

    ThreadPoolCallbackContender(final String name, final int workers, final int queueCapacity)
    {
        super(name, workers);
        executor = ThreadPools.fixed(workers, queueCapacity, "tpe-callback");
    }

    @Override
    public void send(final Probe probe)
    {
        executor.execute(probe);
    }

    @Override
    public void close()
    {
        ThreadPools.shutdown(executor);
    }
}
