package dev.fulcrum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The contract every {@link Policy} implements: the balancer's view of each worker's pending work, and the rule
 * that picks the next worker. Owned by the balancer thread; never shared.
 * <p>
 * Pending counts live here and only here, so a policy cannot disagree with the balancer about load. Subclasses hear
 * of every change through {@link #increased(int)} and {@link #decreased(int)} and keep their own index (a heap, a
 * cursor, an idle list) in step.
 * <p>
 * A policy that asks for round-trip times ({@link #timed}) hears of each request that ran through
 * {@link #onRoundTrip(int, long, long)}; the balancer stamps its jobs only for such a policy, so the others pay one
 * branch on a final field and nothing else.
 */
abstract class Dispatcher
{
    private static final VarHandle CAP;

    static
    {
        try
        {
            CAP = MethodHandles.lookup().findVarHandle(Dispatcher.class, "cap", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final int[] pending;
    /** The ceiling: the cap never exceeds it, and everything sized per worker is sized for it. */
    final int maxPending;
    /** True when the balancer must time each request from dispatch to completion for this policy. */
    final boolean timed;
    /** Workers the policy must not choose (stalled, leaving or gone): no room whatever their pending count. */
    private final boolean[] offline;
    /** Workers without room: full or offline. */
    private int fullWorkers;
    /**
     * Most requests pending on any one worker now: {@link #maxPending}, or less while binding adapts. Read plain by
     * the baton holder, which alone writes it (with a release store, for {@link #capView()}).
     */
    private int cap;

    Dispatcher(final int workers, final int maxPending)
    {
        this(new int[workers], new boolean[workers], maxPending, false);
    }

    /**
     * @param pending    the pending counts, one per worker slot, all 0; owned by this dispatcher from now on.
     * @param offline    the offline flags, as long as {@code pending}, all false; owned likewise.
     * @param maxPending most requests pending on one worker.
     * @param timed      true when the policy wants each request's round-trip time.
     */
    Dispatcher(final int[] pending, final boolean[] offline, final int maxPending, final boolean timed)
    {
        this.pending = pending;
        this.offline = offline;
        this.maxPending = maxPending;
        this.cap = maxPending;
        this.timed = timed;
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
        return pending[worker] < cap && !offline[worker];
    }

    final int cap()
    {
        return cap;
    }

    /**
     * @return the cap as last set, from any thread (for stats).
     */
    final int capView()
    {
        return (int)CAP.getAcquire(this);
    }

    /**
     * Change the cap of every worker (adaptive binding). One cap for all keeps every policy's rule intact: the
     * worker a policy ranks first is full only when all are. A worker above a lowered cap keeps what it holds and
     * takes nothing more until it drains below it. O(workers), only when the cap changes.
     *
     * @param newCap 1 to {@link #maxPending}.
     */
    final void cap(final int newCap)
    {
        if (newCap < 1 || newCap > maxPending)
        {
            throw new IllegalArgumentException("cap must be 1 to " + maxPending + ": cap=" + newCap);
        }
        if (newCap == cap)
        {
            return;
        }
        CAP.setRelease(this, newCap);
        int full = 0;
        for (int w = 0; w < pending.length; w++)
        {
            if (!hasRoom(w))
            {
                full++;
            }
        }
        fullWorkers = full;
    }

    final boolean isOffline(final int worker)
    {
        return offline[worker];
    }

    /**
     * Take a worker out of rotation (it stalled) or put it back. Its pending count is kept: what it holds still
     * counts against its queue's capacity.
     *
     * @param worker  to change.
     * @param offline true to stop choosing it.
     */
    final void offline(final int worker, final boolean offline)
    {
        if (this.offline[worker] == offline)
        {
            return;
        }
        final boolean hadRoom = hasRoom(worker);
        this.offline[worker] = offline;
        countRoom(hadRoom, hasRoom(worker));
        offlineChanged(worker, offline);
    }

    private void countRoom(final boolean hadRoom, final boolean hasRoom)
    {
        if (hadRoom && !hasRoom)
        {
            fullWorkers++;
        }
        else if (!hadRoom && hasRoom)
        {
            fullWorkers--;
        }
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
        if (!hasRoom(worker))
        {
            throw new IllegalStateException("worker has no room: worker=" + worker + ", pending=" + pending[worker] +
                ", cap=" + cap + ", offline=" + offline[worker]);
        }
        ++pending[worker];
        countRoom(true, hasRoom(worker));
        increased(worker);
    }

    /**
     * One request pending on {@code worker} has completed.
     *
     * @param worker that completed a request.
     */
    final void onComplete(final int worker)
    {
        if (pending[worker] <= 0)
        {
            throw new IllegalStateException("worker has nothing pending: worker=" + worker);
        }
        final boolean hadRoom = hasRoom(worker);
        --pending[worker];
        countRoom(hadRoom, hasRoom(worker));
        decreased(worker);
    }

    /**
     * A request that ran on {@code worker} has completed; called right after its {@link #onComplete(int)}, only when
     * {@link #timed}, and not for a request taken back before it started (it never ran, so it has no time).
     *
     * @param worker      that ran the request.
     * @param roundTripNs from its dispatch to the balancer taking its completion, in {@link System#nanoTime()}.
     * @param nowNs       when the balancer took the completion, in {@link System#nanoTime()}.
     */
    void onRoundTrip(final int worker, final long roundTripNs, final long nowNs)
    {
    }

    /**
     * Where faults of user code inside the policy go; the built-in policies have none, so they ignore it.
     *
     * @param faults the balancer's error route.
     */
    void reportFaultsTo(final EngineFaults faults)
    {
    }

    abstract void increased(int worker);

    abstract void decreased(int worker);

    /**
     * The worker went offline or came back (see {@link #offline(int, boolean)}); its pending count is unchanged.
     */
    abstract void offlineChanged(int worker, boolean offline);
}
