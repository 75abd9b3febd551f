package dev.fulcrum.bench;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads with a readable name, so that a benchmark JVM never hangs on a contender left running.
 */
final class DaemonThreadFactory implements ThreadFactory
{
    private final String prefix;
    private final AtomicInteger next = new AtomicInteger();

    DaemonThreadFactory(final String prefix)
    {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(final Runnable runnable)
    {
        final Thread thread = new Thread(runnable, prefix + "-" + next.getAndIncrement());
        thread.setDaemon(true);
        return thread;
    }
}
