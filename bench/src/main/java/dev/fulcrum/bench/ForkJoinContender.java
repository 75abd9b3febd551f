package dev.fulcrum.bench;

import java.util.concurrent.ForkJoinPool;

/**
 * A {@link ForkJoinPool} of {@code workers} threads, each request a preallocated {@link Runnable} handed to
 * {@code execute} (which wraps it in a task) that runs the task and then calls the requester's reply.
 */
final class ForkJoinContender extends AbstractCallbackContender
{
    private final ForkJoinPool pool;

    ForkJoinContender(final String name, final int workers)
    {
        super(name, workers);
        pool = new ForkJoinPool(workers);
    }

    @Override
    public void send(final Probe probe)
    {
        pool.execute((Runnable)probe);
    }

    @Override
    public void close()
    {
        ThreadPools.shutdown(pool);
    }
}
