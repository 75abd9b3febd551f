package dev.fulcrum;

/**
 * What a {@link WorkerChooser} sees of the balancer's workers: the balancer's own books, live, not a copy.
 * <p>
 * There is one slot per worker the balancer can ever have ({@link BalancerBuilder#maxWorkers(int)}), numbered
 * {@code 0..workers()-1}; the number never changes. A slot whose worker is not running (not added yet, stalled,
 * leaving or gone) is offline. {@link #pending(int)} counts every request dispatched to the worker that the
 * balancer has not yet seen completed: queued, running, or taken back before it started (moved off a stalled or
 * leaving worker) and not yet let go by the worker.
 * <p>
 * Read it only on the balancer's thread, inside the chooser's own methods: it changes with every dispatch and
 * completion, and another thread would see it torn or stale. Reading allocates nothing and costs an array load.
 */
public final class WorkerView
{
    private final int[] pending;
    private final boolean[] offline;
    private final int maxPending;
    /** The dispatcher that keeps these books, for the cap; null while the policy's factory runs. */
    private Dispatcher books;

    WorkerView(final int[] pending, final boolean[] offline, final int maxPending)
    {
        this.pending = pending;
        this.offline = offline;
        this.maxPending = maxPending;
    }

    /**
     * @return the number of worker slots, running or not: {@code maxWorkers}. Constant.
     */
    public int workers()
    {
        return pending.length;
    }

    void books(final Dispatcher books)
    {
        this.books = books;
    }

    /**
     * @return the most requests one worker may ever have pending ({@code maxPendingPerWorker}, the ceiling of the
     * adaptive cap): size per-pending arrays with it. Constant.
     */
    public int maxPending()
    {
        return maxPending;
    }

    /**
     * @return the most requests one worker may have pending now: {@link #maxPending()}, or less while the
     * balancer's adaptive binding holds it lower ({@link BalancerBuilder#adaptiveBinding(boolean)}). The same for
     * every worker.
     */
    public int cap()
    {
        return null == books ? maxPending : books.cap();
    }

    /**
     * @param worker a slot, {@code 0..workers()-1}.
     * @return requests dispatched to it and not yet seen completed.
     */
    public int pending(final int worker)
    {
        return pending[worker];
    }

    /**
     * @param worker a slot, {@code 0..workers()-1}.
     * @return true when it must not be chosen whatever its pending count: not added yet, stalled, leaving or gone.
     */
    public boolean isOffline(final int worker)
    {
        return offline[worker];
    }

    /**
     * @param worker a slot, {@code 0..workers()-1}.
     * @return true when it may be chosen now: online, with fewer than {@link #cap()} pending.
     */
    public boolean hasRoom(final int worker)
    {
        return pending[worker] < cap() && !offline[worker];
    }
}
