package dev.fulcrum;

/**
 * The balancer was closed with a deadline that passed while this request was running: it may still be running on a thread the engine gave up waiting for, and whatever it returns later is dropped.
 * <p>
 * An {@link EngineException}: delivered to {@link Reply#onError(Object, Throwable)} in place of a result.
 */
public final class AbandonedByCloseException extends EngineException
{
    private static final long serialVersionUID = 1L;

    AbandonedByCloseException(final String message)
    {
        super(message);
    }
}
