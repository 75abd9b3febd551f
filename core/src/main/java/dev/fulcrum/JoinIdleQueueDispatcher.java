package dev.fulcrum;

/**
 * Castilho's worker pool: a worker takes a request only when it is idle, and idle workers wait their turn in the
 * order they became idle (his workers registered in a pool channel). Requests meanwhile wait in the ring. The
 * pending bound is 1 whatever the builder says; the idle list is doubly linked so that a request bound to a
 * particular worker (a busy key) can take that worker out of the middle in O(1).
 */
final class JoinIdleQueueDispatcher extends Dispatcher
{
    private static final int NONE = -1;

    private final int[] prev;
    private final int[] next;
    private int head = NONE;
    private int tail = NONE;

    JoinIdleQueueDispatcher(final int workers)
    {
        super(workers, 1);
        prev = new int[workers];
        next = new int[workers];
        for (int w = 0; w < workers; w++)
        {
            append(w);
        }
    }

    @Override
    int select()
    {
        return head;
    }

    @Override
    void increased(final int worker)
    {
        // pending went 0 -> 1: the worker is busy and leaves the idle list
        unlink(worker);
    }

    @Override
    void decreased(final int worker)
    {
        // pending went 1 -> 0: the worker is idle again and joins the back of the list, unless it is offline
        if (!isOffline(worker))
        {
            append(worker);
        }
    }

    @Override
    void offlineChanged(final int worker, final boolean offline)
    {
        if (0 == pending[worker])
        {
            if (offline)
            {
                unlink(worker);
            }
            else
            {
                append(worker);
            }
        }
    }

    private void unlink(final int worker)
    {
        final int p = prev[worker];
        final int n = next[worker];
        if (p == NONE)
        {
            head = n;
        }
        else
        {
            next[p] = n;
        }
        if (n == NONE)
        {
            tail = p;
        }
        else
        {
            prev[n] = p;
        }
    }

    private void append(final int worker)
    {
        prev[worker] = tail;
        next[worker] = NONE;
        if (tail == NONE)
        {
            head = worker;
        }
        else
        {
            next[tail] = worker;
        }
        tail = worker;
    }
}
