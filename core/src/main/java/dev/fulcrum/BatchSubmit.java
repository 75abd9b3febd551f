package dev.fulcrum;

import java.util.List;

/**
 * {@link Balancer#trySubmitAll(List, Reply)}: read the caller's list once, into a scratch array of the calling
 * thread's, before anything is claimed; then one claim of the whole batch and one publish. Whatever the list does
 * (throws, changes, holds a null), no slot is left claimed and no task sees a null.
 */
final class BatchSubmit
{
    private final Ingress ingress;
    private final int ringSize;
    /** Per thread, the requests of one batch. */
    private final ThreadLocal<Object[]> scratch;

    BatchSubmit(final Ingress ingress, final int ringSize)
    {
        this.ingress = ingress;
        this.ringSize = ringSize;
        scratch = ThreadLocal.withInitial(() -> new Object[Math.min(ringSize, 64)]);
    }

    /**
     * @return true when all were accepted, false when the ring has no room for all of them now.
     */
    boolean trySubmitAll(final List<?> requests, final Reply<?, ?> reply)
    {
        Balancer.requireNonNull(requests, "requests");
        Balancer.requireNonNull(reply, "reply");
        final int n = requests.size();
        if (n < 1 || n > ringSize)
        {
            throw new IllegalArgumentException(
                "requests.size() must be in 1.." + ringSize + " (the ring size): requests.size()=" + n);
        }
        Object[] batch = scratch.get();
        if (batch.length < n)
        {
            batch = new Object[Math.min(ringSize, Math.max(n, batch.length * 2))];
            scratch.set(batch);
        }
        try
        {
            for (int i = 0; i < n; i++)
            {
                final Object request = requests.get(i);
                if (null == request)
                {
                    throw new NullPointerException("requests[" + i + "] must not be null: requests[" + i + "]=null");
                }
                batch[i] = request;
            }
            final long hi = ingress.claim(n, 0);
            if (hi < 0)
            {
                return false;
            }
            ingress.publishAll(hi - n + 1, hi, batch, reply);
            return true;
        }
        finally
        {
            for (int i = 0; i < n; i++)
            {
                batch[i] = null;
            }
        }
    }
}
