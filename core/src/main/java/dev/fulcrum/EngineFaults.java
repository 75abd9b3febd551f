package dev.fulcrum;

import org.agrona.ErrorHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one route for what goes wrong on an engine thread: the user's {@link ErrorHandler}, guarded so that a handler
 * that throws cannot stop the thread that called it. Interrupt flags left set by user code are reported once per
 * balancer (and counted every time by the thread that cleared them), so that a task that always re-sets the flag
 * cannot flood the handler. Everything reported is also offered to the counters' {@link ErrorLog} (an offer to a
 * bounded queue: the log is written off this thread).
 */
final class EngineFaults
{
    private final ErrorHandler errorHandler;
    private final ErrorLog errorLog;
    private final AtomicBoolean interruptReported = new AtomicBoolean();

    /**
     * With no error log: for a dispatcher or test that reports through the error handler alone.
     */
    EngineFaults(final ErrorHandler errorHandler)
    {
        this(errorHandler, null);
    }

    /**
     * @param errorLog where everything reported is also queued, or null for nowhere.
     */
    EngineFaults(final ErrorHandler errorHandler, final ErrorLog errorLog)
    {
        this.errorHandler = errorHandler;
        this.errorLog = errorLog;
    }

    void report(final Throwable t)
    {
        try
        {
            errorHandler.onError(t);
        }
        catch (final Throwable ignore)
        {
            // an error handler that throws has nowhere left to report to; the engine thread must go on
        }
        record(t);
    }

    /**
     * Keep {@code t} in the error log only: for what the engine logs as a warning rather than reporting to the
     * error handler (pinning refused, too many busy-spinning threads).
     */
    void record(final Throwable t)
    {
        if (null != errorLog)
        {
            errorLog.offer(t);
        }
    }

    void interruptLeftSet(final String threadRole)
    {
        if (!interruptReported.get() && interruptReported.compareAndSet(false, true))
        {
            report(new InterruptLeftSetException(
                "fulcrum: the interrupt flag of " + threadRole + " was left set by user code (a task, a reply, or " +
                "another thread interrupting it); the engine cleared it and went on. Counted in " +
                "BalancerStats.interruptsCleared; further ones of this balancer are counted, not reported."));
        }
    }

    ErrorHandler errorHandler()
    {
        return errorHandler;
    }
}
