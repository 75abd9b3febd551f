package dev.fulcrum;

/**
 * The balancer's FIFO of copies moved off a stalled, leaving or lost worker (or sent again after a remote worker
 * was lost), on the baton holder's thread. They are older than anything in the ring, so they are placed first, and
 * while any waits (here, or parked behind a key's new worker) nothing is taken from the ring: that keeps the moved
 * copies and the dispatched work within the job pool's bound. Intrusive (linked through {@link Job#nextParked}), so
 * it allocates nothing.
 */
final class MovedWork
{
    private final BalancerAgent balancer;
    private Job head;
    private Job tail;
    /** Moved copies not yet dispatched to an online worker, here or parked; read on every slot the ring offers. */
    int waiting;

    MovedWork(final BalancerAgent balancer)
    {
        this.balancer = balancer;
    }

    boolean hasAny()
    {
        return null != head;
    }

    /**
     * Place the waiting copies, oldest first, while some worker has room.
     *
     * @return copies placed.
     */
    int place()
    {
        final Dispatcher dispatcher = balancer.dispatcher;
        int placed = 0;
        while (null != head && dispatcher.anyRoom())
        {
            final Job job = head;
            head = job.nextParked;
            if (null == head)
            {
                tail = null;
            }
            job.nextParked = null;
            balancer.dispatch(job, dispatcher.select());
            placed++;
        }
        return placed;
    }

    /**
     * A moved copy waits for a worker with room; the ring waits until it is placed.
     */
    void add(final Job job)
    {
        job.moved = true;
        waiting++;
        if (null == tail)
        {
            head = job;
        }
        else
        {
            tail.nextParked = job;
        }
        tail = job;
    }

    /**
     * A moved keyed copy parked behind the key's new (online) worker: the ring waits until it is dispatched.
     */
    void parkBehind(final Job job, final int worker, final KeyTable.KeyState state)
    {
        job.moved = true;
        waiting++;
        balancer.park(job, worker, state);
    }

    /**
     * The copy is dispatched, or waits for its own (stalled) worker now, which must not hold the ring back.
     */
    void unmark(final Job job)
    {
        if (job.moved)
        {
            job.moved = false;
            waiting--;
        }
    }

    /**
     * @return the oldest waiting copy, linked to the next through {@link Job#nextParked} (a deadline close answers
     * them), or null.
     */
    Job head()
    {
        return head;
    }
}
