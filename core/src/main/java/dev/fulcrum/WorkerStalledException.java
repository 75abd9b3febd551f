package dev.fulcrum;

/**
 * A worker has been in one task (or its reply) for longer than the stall threshold
 * ({@link BalancerBuilder#stallThreshold(java.time.Duration)}): reported once per stall to the error handler, with
 * the stalled thread's stack trace as this exception's stack trace. Meanwhile the policy chooses the worker no
 * more and the requests queued behind the stuck task move to other workers; the worker returns to rotation when
 * the task ends. Never delivered to a reply: the stuck request is still running and will be answered by its worker.
 */
public final class WorkerStalledException extends EngineException
{
    private static final long serialVersionUID = 1L;

    WorkerStalledException(final String message, final StackTraceElement[] stackTrace)
    {
        super(message, true);
        setStackTrace(stackTrace);
    }
}
