package dev.fulcrum;

/**
 * The balancer's preallocated jobs: a stack of free ones. Taking a job stamps it with a new generation, so that
 * whatever still refers to an earlier use of it (an interrupt aimed at that use) can tell. Owned by the balancer's
 * baton holder.
 */
final class JobPool
{
    private final Job[] free;
    private int freeCount;
    private long generations;

    /**
     * How many jobs a balancer needs, at most, at once. Every job is dispatched or revoked-and-not-yet-handed-back (together at most maxPending per worker, as the
     * pending count covers both); a moved copy waiting for an online worker (dispatched and waiting copies together
     * stay within workers x maxPending, because nothing is taken from the ring while a copy waits); a copy parked
     * back behind its own stalled worker (at most what that worker held); parked (at most maxParked); or held (1).
     */
    static long sizeFor(final int workers, final int maxPending, final int maxParked)
    {
        return 3L * workers * maxPending + maxParked + 1;
    }

    JobPool(final int size)
    {
        free = new Job[size];
        for (int i = 0; i < size; i++)
        {
            free[i] = new Job();
        }
        freeCount = size;
    }

    /**
     * @return a cleared job with a fresh generation; the pool is sized so that it is never empty when asked.
     */
    Job take()
    {
        if (0 == freeCount)
        {
            throw new IllegalStateException("job pool exhausted: size=" + free.length);
        }
        final Job job = free[--freeCount];
        free[freeCount] = null;
        job.generation = ++generations;
        return job;
    }

    void give(final Job job)
    {
        job.clear();
        free[freeCount++] = job;
    }

    int free()
    {
        return freeCount;
    }

    int size()
    {
        return free.length;
    }

    boolean isFull()
    {
        return freeCount == free.length;
    }
}
