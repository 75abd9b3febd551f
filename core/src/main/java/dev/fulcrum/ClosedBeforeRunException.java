package dev.fulcrum;

/**
 * The balancer was closed with a deadline that passed before this request started: it never ran.
 * <p>
 * An {@link EngineException}: delivered to {@link Reply#onError(Object, Throwable)} in place of a result.
 */
public final class ClosedBeforeRunException extends EngineException
{
    private static final long serialVersionUID = 1L;

    ClosedBeforeRunException(final String message)
    {
        super(message);
    }
}
