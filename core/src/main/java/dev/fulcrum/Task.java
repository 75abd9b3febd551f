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
}
