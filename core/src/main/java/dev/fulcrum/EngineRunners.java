package dev.fulcrum;

import java.util.Arrays;

/**
 * The runners of an engine's threads, stopping ones included (a removed worker's leaves once its thread ended),
 * copied on write (rare: start, a worker added or gone) and read without a lock or an iterator:
 * {@link #isEngineThread(Thread)} runs on every submit that finds the ring full, allocation-free.
 */
final class EngineRunners
{
    private volatile EngineRunner[] runners = new EngineRunner[0];
    private final Object lock = new Object();

    void add(final EngineRunner runner)
    {
        synchronized (lock)
        {
            final EngineRunner[] old = runners;
            final EngineRunner[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = runner;
            runners = grown;
        }
    }

    /**
     * A removed worker's thread has ended: forget its runner.
     */
    void ended(final EngineRunner runner)
    {
        synchronized (lock)
        {
            final EngineRunner[] old = runners;
            final EngineRunner[] kept = new EngineRunner[old.length];
            int n = 0;
            for (final EngineRunner r : old)
            {
                if (r != runner)
                {
                    kept[n++] = r;
                }
            }
            runners = Arrays.copyOf(kept, n);
        }
    }

    /**
     * @return the runners now (a snapshot: the array is never changed once published).
     */
    EngineRunner[] all()
    {
        return runners;
    }

    boolean isEngineThread(final Thread thread)
    {
        for (final EngineRunner runner : runners)
        {
            if (runner.thread() == thread)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when every runner's thread has ended (or never started).
     */
    boolean allEnded()
    {
        for (final EngineRunner runner : runners)
        {
            final Thread thread = runner.thread();
            if (null != thread && thread.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    void stopAll()
    {
        for (final EngineRunner runner : runners)
        {
            runner.stop();
        }
    }

    void interruptAll()
    {
        for (final EngineRunner runner : runners)
        {
            final Thread thread = runner.thread();
            if (null != thread)
            {
                thread.interrupt();
            }
        }
    }
}
