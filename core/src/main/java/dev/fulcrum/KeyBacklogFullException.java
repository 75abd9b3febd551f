package dev.fulcrum;

/**
 * The request's key already had as many requests parked behind its worker as {@link BalancerBuilder#maxParkedPerKey(int)} allows: its worker is full or stalled on an earlier request of the key. The request did not run; other keys are not held up by it. Counted in {@link BalancerStats#keyBacklogRejected()}.
 * <p>
 * An {@link EngineException}: delivered to {@link Reply#onError(Object, Throwable)} in place of a result.
 */
public final class KeyBacklogFullException extends EngineException
{
    private static final long serialVersionUID = 1L;

    KeyBacklogFullException(final String message)
    {
        super(message);
    }
}
