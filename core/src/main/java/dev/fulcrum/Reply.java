package dev.fulcrum;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Where the outcome of a request goes: Pike's reply channel. A requester keeps one instance and passes it with
 * every request it submits, so delivering a result allocates nothing.
 * <p>
 * Threading: exactly one of the two methods is called, exactly once, for every request the balancer accepted: on
 * the worker thread that ran it, before the worker takes its next request; or, for an {@link EngineException} (the
 * engine answered instead of running it: closed at a deadline, a key's backlog full), on the thread that decided
 * it: the balancer's, the watchdog's, or the closing thread. One instance shared by requests that
 * run on different workers is called from several threads at once. Keep it short: the worker runs nothing else
 * meanwhile. Anything it throws goes to the balancer's {@link org.agrona.ErrorHandler} and is counted in
 * {@link BalancerStats#replyErrors(int)}; it never stops the worker.
 * <p>
 * Once a reply method has been entered the engine no longer touches the request, so a requester that pools its
 * request objects may reuse one from inside the reply (or any time after it).
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public interface Reply<Q, R>
{
    /**
     * The task returned normally.
     *
     * @param request the request as submitted.
     * @param result  what {@link Task#execute(Object)} returned.
     */
    void onResult(Q request, R result);

    /**
     * The task threw.
     *
     * @param request the request as submitted.
     * @param error   what {@link Task#execute(Object)} threw.
     */
    void onError(Q request, Throwable error);

    /**
     * A reply made of two lambdas. Make it once per requester and reuse it: the lambdas are called, never copied.
     *
     * @param onResult called with the request and its result.
     * @param onError  called with the request and what its task threw.
     * @param <Q>      request type.
     * @param <R>      result type.
     * @return a reply that forwards to the two.
     * @throws NullPointerException naming the parameter that is null.
     */
    static <Q, R> Reply<Q, R> of(
        final BiConsumer<? super Q, ? super R> onResult, final BiConsumer<? super Q, ? super Throwable> onError)
    {
        Objects.requireNonNull(onResult, "onResult must not be null: onResult=null");
        Objects.requireNonNull(onError, "onError must not be null: onError=null");
        return new Reply<>()
        {
            public void onResult(final Q request, final R result)
            {
                onResult.accept(request, result);
            }

            public void onError(final Q request, final Throwable error)
            {
                onError.accept(request, error);
            }
        };
    }
}
