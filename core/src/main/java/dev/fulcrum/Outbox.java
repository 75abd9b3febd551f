package dev.fulcrum;

/**
 * Engine errors decided during a balancer duty cycle (a key's backlog full), delivered to their replies after the
 * cycle has let go of the balancer's state, so that a reply that blocks holds up no other thread's duty cycle. One
 * per thread that runs duty cycles; bounded: a full outbox makes the cycle stop taking from the ring.
 */
final class Outbox
{
    private final Object[] requests;
    private final Reply<Object, Object>[] replies;
    private final Throwable[] errors;
    private int size;

    @SuppressWarnings({"unchecked", "rawtypes"}) // one generic array of replies
    Outbox(final int capacity)
    {
        requests = new Object[capacity];
        replies = new Reply[capacity];
        errors = new Throwable[capacity];
    }

    boolean isFull()
    {
        return size == requests.length;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    void add(final Object request, final Reply<Object, Object> reply, final Throwable error)
    {
        requests[size] = request;
        replies[size] = reply;
        errors[size] = error;
        size++;
    }

    /**
     * Call every reply held, in order, and forget them.
     *
     * @return replies that threw (each reported to {@code faults}).
     */
    int deliver(final EngineFaults faults)
    {
        int threw = 0;
        for (int i = 0; i < size; i++)
        {
            try
            {
                replies[i].onError(requests[i], errors[i]);
            }
            catch (final Throwable t)
            {
                threw++;
                faults.report(t);
            }
            requests[i] = null;
            replies[i] = null;
            errors[i] = null;
        }
        size = 0;
        return threw;
    }
}
