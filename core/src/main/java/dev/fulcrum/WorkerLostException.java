package dev.fulcrum;

/**
 * A remote worker ({@link WorkerLink}) was lost while this request had been sent to it and not answered: the far
 * end may or may not have run it. Delivered to the request's reply, once; the worker leaves the pool.
 */
public final class WorkerLostException extends EngineException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the worker and its link.
     */
    WorkerLostException(final String message)
    {
        super(message);
    }

    WorkerLostException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
