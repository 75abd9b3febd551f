package dev.fulcrum;

/**
 * A warning the engine logs (through {@link System.Logger}) and also keeps in the counters' error log, so that a
 * reader of the counters file sees it: a thread that could not be pinned, more busy-spinning threads than
 * processors. Never thrown and never given to the error handler; it carries no stack trace (where it was made says
 * nothing), only its message.
 */
final class EngineWarning extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    EngineWarning(final String message)
    {
        super(message, null, false, false);
    }
}
