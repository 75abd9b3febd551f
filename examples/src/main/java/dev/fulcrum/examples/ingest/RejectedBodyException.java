package dev.fulcrum.examples.ingest;

/**
 * A request body the server refuses, with the HTTP status to answer and a message for the client. Stackless: it
 * answers a client's mistake, and says nothing about the server's code path.
 */
final class RejectedBodyException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int status;

    private RejectedBodyException(final int status, final String message)
    {
        super(message, null, false, false);
        this.status = status;
    }

    static RejectedBodyException badRequest(final String message)
    {
        return new RejectedBodyException(400, message);
    }

    static RejectedBodyException tooLarge(final String message)
    {
        return new RejectedBodyException(413, message);
    }

    /**
     * @return the HTTP status to answer: 400 or 413.
     */
    int status()
    {
        return status;
    }
}
