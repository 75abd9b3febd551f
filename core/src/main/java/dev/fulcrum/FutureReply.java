package dev.fulcrum;

import java.util.concurrent.CompletableFuture;

/**
 * The reply behind {@link Balancer#submit(Object)}: a future completed with the result or the error.
 */
final class FutureReply<Q, R> extends CompletableFuture<R> implements Reply<Q, R>
{
    @Override
    public void onResult(final Q request, final R result)
    {
        complete(result);
    }

    @Override
    public void onError(final Q request, final Throwable error)
    {
        completeExceptionally(error);
    }
}
