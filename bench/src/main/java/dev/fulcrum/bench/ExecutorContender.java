package dev.fulcrum.bench;

import java.util.concurrent.ExecutorService;

/**
 * Any {@link ExecutorService} as a callback contender: each request is the preallocated {@link Probe} handed to
 * {@code execute(Runnable)}; the probe runs the task and then calls the requester's reply, on the pool's thread.
 * What the pool allocates per call (a queue node, a wrapper task) is its own.
 */
final class ExecutorContender extends AbstractCallbackContender
{
    private final ExecutorService executor;

    ExecutorContender(final String name, final int workers, final ExecutorService executor)
    {
        super(name, workers);
        this.executor = executor;
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
