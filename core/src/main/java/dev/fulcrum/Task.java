package dev.fulcrum;

/**
 * The work a {@link Balancer} spreads over its workers: turns one request into one result.
 * <p>
 * Threading: called on a worker thread, one request at a time per worker, possibly on several workers at once, so
 * an implementation shared by all workers must be thread-safe (stateless is best). Anything it throws, including
 * an {@link Error}, is caught by the worker and delivered to the request's {@link Reply#onError(Object, Throwable)};
 * the worker then goes on with its next request.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
@FunctionalInterface
public interface Task<Q, R>
{
    /**
     * Run one request.
     *
     * @param request as submitted, never null.
     * @return the result handed to {@link Reply#onResult(Object, Object)}; may be null.
     * @throws Exception to fail this request only.
     */
    R execute(Q request) throws Exception;

    /**
     * Called on a worker thread after it has run, and replied to, the last request of a batch it took from its
     * queue (a batch is whatever was queued when the worker looked, one request or many), before it looks for
     * more. The place to finish what a batch of requests started together: flush a buffer, force a file, send
     * what was gathered; the Disruptor's {@code endOfBatch} for a worker. Not called when a worker found nothing
     * to run. Anything it throws goes to the balancer's error handler, counted as a reply error; the worker goes on.
     * <p>
     * One call per batch per worker, on that worker's thread, so state kept per worker thread needs no lock.
     * Default: nothing.
     */
    default void onEndOfBatch()
    {
    }
}
