package dev.fulcrum;

/**
 * A worker that runs its requests somewhere else, in another process or on another host: the transport side of a
 * remote worker, added to a running balancer with {@link Balancer#addWorker(WorkerLink)}. To the balancer it is a
 * worker like any other: the policy sees its pending count, {@link BalancerBuilder#maxPendingPerWorker(int)} bounds
 * it, and a key's requests stay on it while any is in flight. What differs is who runs them: the engine gives the
 * worker a thread of its own (an engine thread, never the balancer's) that takes the requests dispatched to it,
 * {@linkplain #send(long, Object) sends} each one, {@linkplain #poll(Replies) polls} for the results, and
 * replies to the requesters on that thread, as a local worker does.
 * <p>
 * Threading: every method is called on that one thread, so an implementation needs no lock. None may block: a
 * transport that cannot send now says {@link #FULL}, and the engine tries the same request again on its next duty
 * cycle, sending nothing else meanwhile. Anything a method throws is caught, reported to the balancer's error
 * handler, and treated as a lost link.
 * <p>
 * Identity: each request sent gets an id that is unique among this link's requests in flight; the reply names it.
 * An id the engine does not recognise (a reply that came after the request was answered some other way, or one
 * the link made up) is dropped and counted, so no request is ever answered twice.
 * <p>
 * Loss: once {@link #isAlive(long)} returns false the link is lost for good. Every request it had sent and not had
 * a reply for gets exactly one answer: {@link WorkerLostException} by default, or, when the request was submitted
 * without a key and {@link #safeToRunTwice(Object)} says so, it is dispatched again to another worker (the far end
 * may still be running it, which is why a keyed request is never run again elsewhere: two of its key would be in
 * flight). What had been dispatched to the worker but not sent moves to other workers as a removed worker's does;
 * the worker then leaves the pool and its slot is free for the next {@code addWorker}. A link whose far end comes
 * back is a new link.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public interface WorkerLink<Q, R>
{
    /** {@link #send(long, Object)}: the request is on its way. */
    int SENT = 0;
    /** {@link #send(long, Object)}: not now (back pressure); the engine retries the same request later. */
    int FULL = 1;
    /**
     * {@link #send(long, Object)}: the far end cannot be reached now (not yet connected, or just disconnected);
     * the engine retries later, as for {@link #FULL}, until {@link #isAlive(long)} says the link is lost.
     */
    int NOT_CONNECTED = 2;

    /**
     * The results a link delivers from {@link #poll(Replies)}; called on the worker's thread, inside that poll.
     *
     * @param <R> result type.
     */
    interface Replies<R>
    {
        /**
         * @param id     as given to {@link #send(long, Object)}.
         * @param result the task's result; may be null.
         */
        void onResult(long id, R result);

        /**
         * @param id    as given to {@link #send(long, Object)}.
         * @param error why the task failed at the far end (the link decides how a remote failure is represented).
         */
        void onError(long id, Throwable error);
    }

    /**
     * Worker thread, once, before anything else.
     */
    default void onStart()
    {
    }

    /**
     * Send one request to the far end.
     *
     * @param id      names the request in its reply.
     * @param request as submitted, never null.
     * @return {@link #SENT}, {@link #FULL} or {@link #NOT_CONNECTED}.
     */
    int send(long id, Q request);

    /**
     * Deliver what has arrived, calling {@code replies} once per reply.
     *
     * @return how much work was done (replies delivered, heartbeats read), 0 when nothing arrived.
     */
    int poll(Replies<? super R> replies);

    /**
     * Whether the far end is still there (its heartbeats arrive in time). Once false, never true again.
     *
     * @param nowNs {@link System#nanoTime()}, read once per duty cycle.
     */
    boolean isAlive(long nowNs);

    /**
     * Whether an unkeyed request that was sent and never answered may run again elsewhere when this link is lost.
     * Default false: every such request is answered with {@link WorkerLostException}.
     */
    default boolean safeToRunTwice(final Q request)
    {
        return false;
    }

    /**
     * A name for the far end in messages and the worker's thread name (for example its address).
     */
    default String name()
    {
        return getClass().getSimpleName();
    }

    /**
     * Worker thread, once, when the worker leaves (lost, removed, or the balancer closed): release the transport.
     */
    void close();
}
