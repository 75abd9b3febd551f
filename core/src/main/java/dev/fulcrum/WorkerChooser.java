package dev.fulcrum;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A policy you write: the rule that chooses the worker for each request, by a signal of your own. Plug it in with
 * {@link Policy#custom(String, java.util.function.Function)}, whose factory makes one chooser per balancer.
 *
 * <h2>What it sees</h2>
 * The {@link WorkerView} its factory is given: one slot per worker the balancer can ever have ({@code maxWorkers},
 * slots for workers added later included), each slot's pending count and offline flag, and {@code maxPending}. The
 * balancer keeps those books itself, before it calls the chooser: by the time {@link #onDispatch(int)} runs the
 * worker's pending count has gone up, by the time {@link #onComplete(int)} runs it has gone down. Besides, in this
 * order for each request:
 * <ul>
 * <li>{@link #choose()}, when the request has no worker yet (a request whose key is busy goes to its key's worker
 * without asking; one moved off a stalled or leaving worker asks again);</li>
 * <li>{@link #onDispatch(int)}, for every request given to a worker, chosen by this chooser or not;</li>
 * <li>{@link #onComplete(int)}, when the balancer sees the request done, or handed back unstarted after it was
 * taken back (moved off a stalled or leaving worker);</li>
 * <li>{@link #onRoundTrip(int, long, long)}, right after {@code onComplete}, only if the chooser was built with
 * {@code roundTripTimes} true, and only for a request that ran;</li>
 * </ul>
 * and {@link #onOfflineChanged(int, boolean)} whenever a slot goes offline (its worker stalled, is leaving or gone)
 * or comes back (the stall ended, a worker was added to the slot). A slot is offline from the start until a worker
 * is added to it: the chooser hears {@code onOfflineChanged(slot, true)} for each such slot before its first
 * {@code choose()}. An offline worker keeps its pending count and still completes what it holds.
 *
 * <h2>On which thread</h2>
 * The factory and the first offline notices run on the thread that calls {@code build()}, before any engine thread
 * starts. Everything after runs on the balancer's cycle, one call at a time, never two at once, with everything
 * earlier visible: no locks or volatile fields are needed. But that cycle does not always run on the same thread:
 * the balancer's own thread normally (worker 0's in {@link ThreadingMode#SHARED}, the application's in
 * {@link ThreadingMode#INVOKER}), the watchdog's while that thread is stuck in user code, a closing thread at a
 * deadline. So keep no state in a {@code ThreadLocal} and assume nothing about the current thread.
 *
 * <h2>What it must never do</h2>
 * <ul>
 * <li>Block, wait or sleep: while it runs the balancer holds its baton, and nothing is dispatched anywhere.</li>
 * <li>Allocate per request, or do more than a few hundred nanoseconds of work: it is called once or twice per
 * request, on the path every request takes. Size its arrays in its constructor, from
 * {@link WorkerView#workers()}.</li>
 * <li>Throw.</li>
 * <li>Call back into the balancer (submit, close, add or remove workers) or block on anything the balancer does.
 * Reading {@link Balancer#stats()} from elsewhere is fine; from the chooser it is pointless, as it has the view.</li>
 * <li>Choose a worker that {@link WorkerView#hasRoom(int)} says has none: full, offline (stalled, leaving or gone:
 * never chosen), or not a slot at all.</li>
 * <li>Share state with another balancer's chooser: each balancer has its own, from its own factory call.</li>
 * </ul>
 *
 * <h2>If it breaks the contract</h2>
 * The balancer checks every choice. A choice of a worker without room, of no worker, or a {@code choose()} that
 * throws is refused: that request goes instead to the online worker with room and the fewest pending (the lowest
 * index among equals), so nothing accepted is lost or answered twice, and the fault is reported to the balancer's
 * {@link org.agrona.ErrorHandler} as a {@link PolicyFaultException} naming the policy, the choice and why it was
 * refused. An event method that throws is reported the same way and otherwise ignored: the balancer's books stay
 * exact, the chooser's own may not. The 1st, 2nd, 4th, 8th, ... fault of a balancer is reported, each with the
 * count so far, so a chooser that breaks on every request cannot flood the handler. A chooser that blocks or calls
 * back in is not caught: it stops dispatch, as a stuck balancer would.
 * <p>
 * {@code PolicyContract}, in fulcrum-core's test jar (classifier {@code tests}), is the suite every built-in
 * policy passes; subclass it with your policy to run the same checks on it (the README says how).
 */
public abstract class WorkerChooser
{
    private final boolean roundTripTimes;
    private final AtomicBoolean inUse = new AtomicBoolean();

    /**
     * A chooser that needs no round-trip times: the balancer stamps nothing for it.
     */
    protected WorkerChooser()
    {
        this(false);
    }

    /**
     * @param roundTripTimes true to be told each request's round-trip time through
     *                       {@link #onRoundTrip(int, long, long)}; the balancer then reads {@link System#nanoTime()}
     *                       at each dispatch and each completion of a request (two clock reads per request).
     *                       Fixed for the chooser's life.
     */
    protected WorkerChooser(final boolean roundTripTimes)
    {
        this.roundTripTimes = roundTripTimes;
    }

    /**
     * Choose the worker for the next request. Called only while at least one online worker has room, so there is
     * always a right answer. Does not dispatch: the balancer may ask and then place the request elsewhere (a key
     * moving whole goes where its first request was told); {@link #onDispatch(int)} says where requests went.
     *
     * @return a worker for which {@link WorkerView#hasRoom(int)} is true.
     */
    protected abstract int choose();

    /**
     * A request was given to {@code worker}; its pending count already includes it.
     *
     * @param worker that took the request.
     */
    protected void onDispatch(final int worker)
    {
    }

    /**
     * A request pending on {@code worker} is no longer pending (it completed, or it was taken back and the worker let
     * go of it); its pending count is already down.
     *
     * @param worker that held the request.
     */
    protected void onComplete(final int worker)
    {
    }

    /**
     * How long a request that ran on {@code worker} took, from its dispatch to the balancer taking its completion:
     * the wait in the worker's queue, the task, the reply and the hand-back. Only for a chooser built with
     * {@code roundTripTimes} true; right after the request's {@link #onComplete(int)}.
     *
     * @param worker      that ran the request.
     * @param roundTripNs the round trip, in nanoseconds of {@link System#nanoTime()}; 0 or more, and the two stamps
     *                    may come from different threads (see the class comment), so allow for a little skew.
     * @param completedNs when the balancer took the completion, in {@link System#nanoTime()}.
     */
    protected void onRoundTrip(final int worker, final long roundTripNs, final long completedNs)
    {
    }

    /**
     * {@code worker} went offline (stalled, leaving, gone, or not added yet) or came back online. Its pending count is
     * unchanged.
     *
     * @param worker  whose state changed.
     * @param offline true when it must not be chosen from now on.
     */
    protected void onOfflineChanged(final int worker, final boolean offline)
    {
    }

    final boolean wantsRoundTripTimes()
    {
        return roundTripTimes;
    }

    /**
     * @return true the first time only: a chooser belongs to one balancer.
     */
    final boolean claim()
    {
        return inUse.compareAndSet(false, true);
    }
}
