package dev.fulcrum;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe reply for requests numbered {@code 0..capacity-1}: counts the replies of each request and keeps the
 * last error of each, so that a test can check "exactly one reply per accepted request, none for refused ones"
 * whichever threads the replies came from.
 */
class ReplyTally<R> implements Reply<Integer, R>
{
    private final AtomicIntegerArray replies;
    private final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    ReplyTally(final int capacity)
    {
        replies = new AtomicIntegerArray(capacity);
    }

    @Override
    public void onResult(final Integer request, final R result)
    {
        replies.incrementAndGet(request);
        total.incrementAndGet();
    }

    @Override
    public void onError(final Integer request, final Throwable error)
    {
        errors.put(request, error);
        replies.incrementAndGet(request);
        total.incrementAndGet();
    }

    /**
     * @return how many replies request {@code id} got so far.
     */
    int replies(final int id)
    {
        return replies.get(id);
    }

    /**
     * @return the error request {@code id} was answered with, or null.
     */
    Throwable error(final int id)
    {
        return errors.get(id);
    }

    /**
     * @return replies of all requests together.
     */
    long total()
    {
        return total.get();
    }

    /**
     * @return how many requests were answered with an error of {@code type}.
     */
    long errors(final Class<? extends Throwable> type)
    {
        return errors.values().stream().filter(type::isInstance).count();
    }

    /**
     * Fail unless every request in {@code accepted} got exactly one reply and every other one in {@code 0..n-1}
     * got none.
     */
    void assertExactlyOnce(final int n, final java.util.function.IntPredicate accepted)
    {
        for (int id = 0; id < n; id++)
        {
            final int expected = accepted.test(id) ? 1 : 0;
            final int got = replies.get(id);
            if (got != expected)
            {
                throw new AssertionError("request " + id + " got " + got + " replies, expected " + expected +
                    (null == errors.get(id) ? "" : " (last error " + errors.get(id) + ")"));
            }
        }
    }
}
