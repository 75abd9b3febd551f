package dev.fulcrum.aeron;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: the only way these tests wait. Never a bare sleep. Each look may do work
 * (step a host, poll a link), so a wait is also how a test drives the two sides until something happens.
 */
final class Await
{
    static final long DEFAULT_TIMEOUT_S = Long.getLong("fulcrum.test.timeoutSeconds", 60);

    private Await()
    {
    }

    static void until(final BooleanSupplier condition, final Supplier<String> whatWasExpected)
    {
        until(TimeUnit.SECONDS.toNanos(DEFAULT_TIMEOUT_S), condition, whatWasExpected);
    }

    static void until(final long timeoutNs, final BooleanSupplier condition, final Supplier<String> whatWasExpected)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int idle = 0;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not reached within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: " +
                    whatWasExpected.get());
            }
            if (++idle < 100)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(100_000);
            }
        }
    }
}
