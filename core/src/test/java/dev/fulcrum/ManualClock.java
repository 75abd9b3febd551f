package dev.fulcrum;

import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * A clock that moves only when a test moves it, for stepping the watchdog.
 */
final class ManualClock implements NanoClock
{
    private volatile long nowNs = 1_000_000_000L;

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    void advanceMs(final long ms)
    {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /** One thread at a time: a stepped test's. */
    void advanceNs(final long ns)
    {
        nowNs += ns;
    }
}
