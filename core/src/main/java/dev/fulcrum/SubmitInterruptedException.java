package dev.fulcrum;

/**
 * Thrown by a waiting {@code submit} whose thread was interrupted while the ring was full: the request was not
 * accepted and its reply will not be called. The thread's interrupt flag is set again before this is thrown, so
 * code further up still sees the interrupt. The timed {@code trySubmit} throws {@link InterruptedException}
 * instead, as {@link java.util.concurrent.BlockingQueue#offer(Object, long, java.util.concurrent.TimeUnit)} does.
 */
public final class SubmitInterruptedException extends EngineException
{
    private static final long serialVersionUID = 1L;

    SubmitInterruptedException(final String message)
    {
        super(message);
    }
}
