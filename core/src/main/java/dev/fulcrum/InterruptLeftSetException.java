package dev.fulcrum;

/**
 * User code (a task, a reply, or another thread interrupting an engine thread) left an engine thread's interrupt
 * flag set. The engine owns its threads' interrupt status: it clears the flag, counts it
 * ({@link BalancerStats#interruptsCleared(int)}), and reports the first such interrupt of a balancer to the error
 * handler with this exception; the thread goes on. The usual cause is the idiom
 * {@code catch (InterruptedException e) { Thread.currentThread().interrupt(); }} inside a task.
 */
public final class InterruptLeftSetException extends EngineException
{
    private static final long serialVersionUID = 1L;

    InterruptLeftSetException(final String message)
    {
        super(message);
    }
}
