package dev.fulcrum;

/**
 * A request in flight, from the balancer's pool. The balancer fills it from a ring slot and hands it to one
 * worker's queue; the worker runs it, replies, and returns it over the completion queue; the balancer recycles it.
 * At any moment exactly one thread owns a job, and the queues between them carry the happens-before edges.
 */
final class Job
{
    Object request;
    Reply<Object, Object> reply;
    long key;
    boolean keyed;
    int worker = -1;
    /** Next job parked behind the same worker: an intrusive list, so parking allocates nothing. */
    Job nextParked;

    void clear()
    {
        request = null;
        reply = null;
        key = 0;
        keyed = false;
        worker = -1;
        nextParked = null;
    }
}
