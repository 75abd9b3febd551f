package dev.fulcrum;

/**
 * Why the engine, not the task, answered a request: delivered to {@link Reply#onError(Object, Throwable)} in place
 * of a result, exactly once, so that every accepted request still gets exactly one reply. The whole list:
 * <ul>
 *     <li>{@link ClosedBeforeRunException}: a close with a deadline ran out of time before the request started;</li>
 *     <li>{@link AbandonedByCloseException}: a close with a deadline ran out of time while the request ran; its
 *     late result, if it ever comes, is dropped;</li>
 *     <li>{@link KeyBacklogFullException}: the request's key already had as many requests parked as
 *     {@link BalancerBuilder#maxParkedPerKey(int)} allows (its worker is full or stalled);</li>
 *     <li>{@link WorkerLostException}: the request was in flight on a remote worker ({@link WorkerLink}) whose link
 *     was lost; it may or may not have run there.</li>
 * </ul>
 * Reported to the error handler, never to a reply: {@link WorkerStalledException} (a task ran past the stall
 * threshold), {@link InterruptLeftSetException} (user code left a thread's interrupt flag set) and
 * {@link PolicyFaultException} (a policy you wrote made a choice the balancer refused, or threw). Thrown to a
 * submitting caller: {@link SubmitInterruptedException}.
 * <p>
 * Engine exceptions carry no stack trace (where the engine noticed is not where anything went wrong) except
 * {@link WorkerStalledException}, which carries the stalled thread's.
 */
public abstract class EngineException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    EngineException(final String message)
    {
        super(message, null, false, false);
    }

    EngineException(final String message, final boolean writableStackTrace)
    {
        super(message, null, false, writableStackTrace);
    }

    EngineException(final String message, final Throwable cause)
    {
        super(message, cause, false, false);
    }
}
