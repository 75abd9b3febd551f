package dev.fulcrum;

import java.util.function.Function;

/**
 * A {@link WorkerChooser} (a policy a user wrote) adapted onto {@link Dispatcher}: the dispatcher keeps the books
 * (pending counts, offline flags, room) as for every policy, tells the chooser of each change, asks it for each
 * choice, and checks the answer. A broken answer, or a chooser method that throws, never reaches the balancer: the
 * request goes to the fallback worker (online, with room, fewest pending, lowest index among equals) and the fault
 * goes to the balancer's error route as a {@link PolicyFaultException}, the 1st, 2nd, 4th, ... of them, so that the
 * balancer's cycle never sees an exception from user code (it would lose the request it was placing).
 * <p>
 * Not attached to a balancer ({@link #reportFaultsTo(EngineFaults)} never called, as in a unit test of the
 * dispatcher alone), a fault is thrown instead.
 */
final class ChooserDispatcher extends Dispatcher
{
    private final String policy;
    private final WorkerChooser chooser;
    private EngineFaults faults;
    private long faultCount;

    private ChooserDispatcher(
        final int[] pending,
        final boolean[] offline,
        final int maxPending,
        final String policy,
        final WorkerChooser chooser)
    {
        super(pending, offline, maxPending, chooser.wantsRoundTripTimes());
        this.policy = policy;
        this.chooser = chooser;
    }

    /**
     * Make the books, show them to the factory, and adapt the chooser it returns. On the thread that builds the
     * balancer, so a factory that fails fails {@code build()}.
     *
     * @param policy     the policy's name, for messages.
     * @param factory    makes one chooser for this balancer.
     * @param workers    worker slots ({@code maxWorkers}).
     * @param maxPending most requests pending per worker.
     * @return the dispatcher.
     * @throws IllegalArgumentException when the factory returns null or a chooser another balancer already has.
     */
    static ChooserDispatcher create(
        final String policy,
        final Function<WorkerView, ? extends WorkerChooser> factory,
        final int workers,
        final int maxPending)
    {
        final int[] pending = new int[workers];
        final boolean[] offline = new boolean[workers];
        final WorkerView view = new WorkerView(pending, offline, maxPending);
        final WorkerChooser chooser = factory.apply(view);
        if (null == chooser)
        {
            throw new IllegalArgumentException("policy factory returned null: policy=" + policy);
        }
        if (!chooser.claim())
        {
            throw new IllegalArgumentException("policy factory must make a new chooser for each balancer, it returned " +
                "one already in use: policy=" + policy + ", chooser=" + chooser.getClass().getName());
        }
        final ChooserDispatcher dispatcher = new ChooserDispatcher(pending, offline, maxPending, policy, chooser);
        view.books(dispatcher);
        return dispatcher;
    }

    @Override
    void reportFaultsTo(final EngineFaults faults)
    {
        this.faults = faults;
    }

    @Override
    int select()
    {
        if (!anyRoom())
        {
            return -1;
        }
        final int worker;
        try
        {
            worker = chooser.choose();
        }
        catch (final Throwable t)
        {
            final int fallback = fallback();
            if (countFault())
            {
                report("choose() threw " + t + "; the balancer used worker " + fallback + " instead", t);
            }
            return fallback;
        }
        if (worker >= 0 && worker < workers() && hasRoom(worker))
        {
            return worker;
        }
        final int fallback = fallback();
        if (countFault())
        {
            report("chose worker " + worker + ", which " + whyNoRoom(worker) + "; the balancer used worker " +
                fallback + " instead", null);
        }
        return fallback;
    }

    @Override
    void increased(final int worker)
    {
        try
        {
            chooser.onDispatch(worker);
        }
        catch (final Throwable t)
        {
            if (countFault())
            {
                report("onDispatch(" + worker + ") threw " + t, t);
            }
        }
    }

    @Override
    void decreased(final int worker)
    {
        try
        {
            chooser.onComplete(worker);
        }
        catch (final Throwable t)
        {
            if (countFault())
            {
                report("onComplete(" + worker + ") threw " + t, t);
            }
        }
    }

    @Override
    void onRoundTrip(final int worker, final long roundTripNs, final long nowNs)
    {
        try
        {
            chooser.onRoundTrip(worker, Math.max(0, roundTripNs), nowNs);
        }
        catch (final Throwable t)
        {
            if (countFault())
            {
                report("onRoundTrip(" + worker + ", " + roundTripNs + ", " + nowNs + ") threw " + t, t);
            }
        }
    }

    @Override
    void offlineChanged(final int worker, final boolean offline)
    {
        try
        {
            chooser.onOfflineChanged(worker, offline);
        }
        catch (final Throwable t)
        {
            if (countFault())
            {
                report("onOfflineChanged(" + worker + ", " + offline + ") threw " + t, t);
            }
        }
    }

    WorkerChooser chooser()
    {
        return chooser;
    }

    long faultCount()
    {
        return faultCount;
    }

    /**
     * @return the online worker with room and the fewest pending, the lowest index among equals; called only while
     * some worker has room.
     */
    private int fallback()
    {
        int best = -1;
        for (int w = 0; w < pending.length; w++)
        {
            if (hasRoom(w) && (best < 0 || pending[w] < pending[best]))
            {
                best = w;
            }
        }
        return best;
    }

    private String whyNoRoom(final int worker)
    {
        if (worker < 0 || worker >= workers())
        {
            return "is not a worker (workers=" + workers() + ")";
        }
        if (isOffline(worker))
        {
            return "is offline (stalled, leaving, gone or not added yet; pending=" + pending[worker] + ")";
        }
        return "is full (pending=" + pending[worker] + ", cap=" + cap() + ")";
    }

    /**
     * Count a fault.
     *
     * @return true when it is to be reported: its count is a power of two, or there is nowhere to report to. Only
     * then is its message built, so a chooser that breaks on every request costs the balancer a scan per request,
     * not an allocation.
     */
    private boolean countFault()
    {
        final long count = ++faultCount;
        return null == faults || 0 == (count & (count - 1));
    }

    private void report(final String what, final Throwable cause)
    {
        final PolicyFaultException fault = new PolicyFaultException("policy " + policy + " broke its contract: " +
            what + " (fault " + faultCount + " of this balancer; the 1st, 2nd, 4th, 8th, ... are reported)", cause);
        if (null == faults)
        {
            throw fault;
        }
        faults.report(fault);
    }
}
