package dev.fulcrum;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.Collection;
import java.util.concurrent.ThreadFactory;

/**
 * What tests with real engine threads share: a back-off idle strategy that suits 2 cores, and a thread factory
 * that hands the engine's threads to the test.
 */
final class EngineTestSupport
{
    private EngineTestSupport()
    {
    }

    /**
     * @return spin 10, yield 10, then park 1 us doubling to 100 us: no core held by an idle engine thread.
     */
    static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    }

    /**
     * @param into where each thread the engine makes is added.
     * @return a factory of daemon threads that records them.
     */
    static ThreadFactory recordingDaemons(final Collection<Thread> into)
    {
        return r ->
        {
            final Thread t = new Thread(r);
            t.setDaemon(true);
            into.add(t);
            return t;
        };
    }
}
