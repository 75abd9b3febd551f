package dev.fulcrum;

/**
 * One preallocated slot of the ingress ring. A requester fills it between claim and publish; the balancer copies
 * it into a {@link Job} and clears it, so the ring never holds a reference to a request it has handed on.
 */
final class RequestEvent
{
    static final int UNKEYED = 0;
    static final int KEYED = 1;
    /** Claimed by a requester that then found the balancer closed: refused to its caller, skipped by the balancer. */
    static final int CANCELLED = 2;

    Object request;
    Reply<Object, Object> reply;
    long key;
    int kind;
    /** {@link System#nanoTime()} when the requester filled the slot; stamped only with latency histograms on. */
    long submitNs;

    void clear()
    {
        request = null;
        reply = null;
        key = 0;
        kind = UNKEYED;
    }
}
