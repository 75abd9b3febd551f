package dev.fulcrum;

/**
 * The balancer's two lists per worker, both intrusive (links in the jobs, so neither allocates):
 * <ul>
 *     <li>outstanding: every job handed to the worker's queue and not yet handed back, in dispatch order, which is
 *     the order the worker takes and returns them; what a stall moves and a deadline close answers;</li>
 *     <li>parked: jobs bound to the worker (a busy key's later requests, or work moved off a stalled worker) that
 *     wait for it to have room, in the order they are to be dispatched.</li>
 * </ul>
 * Owned by the balancer's baton holder.
 */
final class WorkerLanes
{
    private final Job[] outHead;
    private final Job[] outTail;
    private final Job[] parkedHead;
    private final Job[] parkedTail;
    private int parked;

    WorkerLanes(final int workers)
    {
        outHead = new Job[workers];
        outTail = new Job[workers];
        parkedHead = new Job[workers];
        parkedTail = new Job[workers];
    }

    void addOutstanding(final int worker, final Job job)
    {
        job.nextOutstanding = null;
        final Job tail = outTail[worker];
        if (null == tail)
        {
            outHead[worker] = job;
        }
        else
        {
            tail.nextOutstanding = job;
        }
        outTail[worker] = job;
    }

    /**
     * The worker handed {@code job} back: it is the oldest outstanding one (the queue is FIFO), or, after jobs
     * were abandoned by a close, somewhere further on.
     */
    void removeOutstanding(final int worker, final Job job)
    {
        Job prev = null;
        Job j = outHead[worker];
        while (null != j && j != job)
        {
            prev = j;
            j = j.nextOutstanding;
        }
        if (null == j)
        {
            throw new IllegalStateException("job not outstanding on its worker: worker=" + worker);
        }
        final Job next = j.nextOutstanding;
        if (null == prev)
        {
            outHead[worker] = next;
        }
        else
        {
            prev.nextOutstanding = next;
        }
        if (outTail[worker] == j)
        {
            outTail[worker] = prev;
        }
        j.nextOutstanding = null;
    }

    Job outstanding(final int worker)
    {
        return outHead[worker];
    }

    void park(final int worker, final Job job)
    {
        job.worker = worker;
        job.nextParked = null;
        final Job tail = parkedTail[worker];
        if (null == tail)
        {
            parkedHead[worker] = job;
        }
        else
        {
            tail.nextParked = job;
        }
        parkedTail[worker] = job;
        parked++;
    }

    /**
     * Put {@code first..last} (linked through {@code nextParked}) in front of the worker's parked jobs.
     */
    void parkFirst(final int worker, final Job first, final Job last, final int count)
    {
        last.nextParked = parkedHead[worker];
        if (null == parkedHead[worker])
        {
            parkedTail[worker] = last;
        }
        parkedHead[worker] = first;
        parked += count;
    }

    Job parked(final int worker)
    {
        return parkedHead[worker];
    }

    boolean hasParked(final int worker)
    {
        return null != parkedHead[worker];
    }

    /**
     * Take the first parked job of the worker.
     */
    Job unparkFirst(final int worker)
    {
        final Job job = parkedHead[worker];
        parkedHead[worker] = job.nextParked;
        if (null == job.nextParked)
        {
            parkedTail[worker] = null;
        }
        job.nextParked = null;
        parked--;
        return job;
    }

    /**
     * Take every parked job of the worker: the caller re-parks or answers them.
     *
     * @return the first of them, linked through {@code nextParked}, or null.
     */
    Job unparkAll(final int worker)
    {
        final Job first = parkedHead[worker];
        for (Job j = first; null != j; j = j.nextParked)
        {
            parked--;
        }
        parkedHead[worker] = null;
        parkedTail[worker] = null;
        return first;
    }

    int parkedTotal()
    {
        return parked;
    }

    int workers()
    {
        return outHead.length;
    }
}
