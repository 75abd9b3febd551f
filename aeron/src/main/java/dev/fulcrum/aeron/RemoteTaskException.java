package dev.fulcrum.aeron;

/**
 * A request failed at its worker host: the task threw, or the host could not decode the request or encode the
 * result. The host sends the failure's text (its {@code toString()}: class and message), not the exception, so this
 * is what the request's reply gets, with that text as its message. No stack trace: the failure happened in another
 * process; its host's error handler saw the original.
 */
public final class RemoteTaskException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the host's text, prefixed by the link's name.
     */
    public RemoteTaskException(final String message)
    {
        super(message, null, false, false);
    }
}
