package dev.fulcrum;

/**
 * The contract every {@link Policy} implements: the balancer's view of each worker's pending work, and the rule
 * that picks the next worker. Owned by the balancer thread; never shared.
 * <p>
 * Pending counts live here and only here, so a policy cannot disagree with the balancer about load. Subclasses hear
 * of every change through {@link #increased(int)} and {@link #decreased(int)} and keep their own index (a heap, a
 * cursor, an idle list) in step.
 */
abstract class Dispatcher
{
    final int[] pending;
    final int maxPending;
    private int fullWorkers;

    Dispatcher(final int workers, final int maxPending)
    {
        this.pending = new int[workers];
        this.maxPending = maxPending;
    }

    final int workers()
    {
        return pending.length;
    }

    final int pending(final int worker)
    {
        return pending[worker];
    }

    final boolean hasRoom(final int worker)
    {
        return pending[worker] < maxPending;
    }

    /**
     * @return true when some worker has room, so that {@link #select()} returns a worker.
     */
    final boolean anyRoom()
    {
        return fullWorkers < pending.length;
    }

    /**
     * @param start worker to look at first.
     * @return the first worker with room from {@code start} on, wrapping around; loops forever unless
     * {@link #anyRoom()}.
     */
    final int firstWithRoomFrom(final int start)
    {
        final int n = pending.length;
        int worker = start;
        while (!hasRoom(worker))
        {
            worker = worker + 1 == n ? 0 : worker + 1;
        }
        return worker;
    }

    /**
     * Pick the worker for the next request. Does not change any load: the balancer calls
     * {@link #onDispatch(int)} with the answer.
     *
     * @return a worker with room, or -1 when and only when every worker is full.
     */
    abstract int select();

    /**
     * One more request is pending on {@code worker}, which must have room.
     *
     * @param worker that took the request.
     */
    final void onDispatch(final int worker)
    {
        final int p = ++pending[worker];
        if (p > maxPending)
        {
            --pending[worker];
            throw new IllegalStateException("worker is full: worker=" + worker + ", maxPending=" + maxPending);
        }
        if (p == maxPending)
        {
            fullWorkers++;
        }
        increased(worker);
    }

    /**
     * One request pending on {@code worker} has completed.
     *
     * @param worker that completed a request.
     */
    final void onComplete(final int worker)
    {
        final int p = pending[worker]--;
        if (p <= 0)
        {
            ++pending[worker];
            throw new IllegalStateException("worker has nothing pending: worker=" + worker);
        }
        if (p == maxPending)
        {
            fullWorkers--;
        }
        decreased(worker);
    }

    abstract void increased(int worker);

    abstract void decreased(int worker);
}
