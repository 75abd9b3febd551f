package dev.fulcrum.stat.tool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: the only way these tests wait. Never a bare sleep.
 */
final class Await
{
    static final long TIMEOUT_S = Long.getLong("fulcrum.test.timeoutSeconds", 60);

    private Await()
    {
    }

    static void until(final BooleanSupplier condition, final Supplier<String> whatWasExpected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not reached within " + TIMEOUT_S + " s: " + whatWasExpected.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // another process: a look per millisecond
        }
    }
}
