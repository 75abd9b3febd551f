package dev.fulcrum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A remote worker's link with the far end played by the test: what the engine sends is written down, and the test
 * decides when each is answered, whether the link is full, and when it is lost. Called on one thread at a time
 * (the engine's worker thread, or the test stepping it), so it needs no lock.
 */
final class FakeWorkerLink implements WorkerLink<String, String>
{
    /** Requests sent and not yet answered by the test, oldest first: {id, request}. */
    final ArrayDeque<Object[]> sent = new ArrayDeque<>();
    /** Every request ever sent, in order. */
    final List<String> sentLog = new ArrayList<>();
    /** Replies the test queued for the next poll: {id, result or Throwable}. */
    private final ArrayDeque<Object[]> toDeliver = new ArrayDeque<>();
    boolean full;
    boolean alive = true;
    boolean closed;
    int started;
    RuntimeException throwOnSend;
    Predicate<String> safeToRunTwice = r -> false;

    @Override
    public void onStart()
    {
        started++;
    }

    @Override
    public int send(final long id, final String request)
    {
        if (null != throwOnSend)
        {
            throw throwOnSend;
        }
        if (full)
        {
            return FULL;
        }
        sent.add(new Object[]{id, request});
        sentLog.add(request);
        return SENT;
    }

    @Override
    public int poll(final Replies<? super String> replies)
    {
        int n = 0;
        Object[] reply;
        while (null != (reply = toDeliver.poll()))
        {
            final long id = (Long)reply[0];
            if (reply[1] instanceof Throwable)
            {
                replies.onError(id, (Throwable)reply[1]);
            }
            else
            {
                replies.onResult(id, (String)reply[1]);
            }
            n++;
        }
        return n;
    }

    @Override
    public boolean isAlive(final long nowNs)
    {
        return alive;
    }

    @Override
    public boolean safeToRunTwice(final String request)
    {
        return safeToRunTwice.test(request);
    }

    @Override
    public String name()
    {
        return "fake";
    }

    @Override
    public void close()
    {
        closed = true;
    }

    /**
     * Answer the oldest {@code n} requests sent: each request's result is the request with "@remote" after it.
     *
     * @return the ids answered.
     */
    List<Long> answer(final int n)
    {
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n && !sent.isEmpty(); i++)
        {
            final Object[] s = sent.poll();
            ids.add((Long)s[0]);
            toDeliver.add(new Object[]{s[0], s[1] + "@remote"});
        }
        return ids;
    }

    /**
     * Queue a reply with any id: a late, repeated or made-up one.
     */
    void deliver(final long id, final Object resultOrError)
    {
        toDeliver.add(new Object[]{id, resultOrError});
    }
}
