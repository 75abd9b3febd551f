package dev.fulcrum;

/**
 * A {@link WorkerChooser} broke its contract: it chose a worker without room (full, offline, or no worker at all),
 * or one of its methods threw (the cause). Reported to the error handler, never to a reply: the balancer refused the
 * choice and placed the request itself (see {@link WorkerChooser}, "If it breaks the contract"), so the request is
 * answered as usual. The message names the policy, the choice, why it was refused, where the request went instead,
 * and how many faults the balancer has seen; the 1st, 2nd, 4th, 8th, ... of a balancer are reported.
 */
public final class PolicyFaultException extends EngineException
{
    private static final long serialVersionUID = 1L;

    PolicyFaultException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
