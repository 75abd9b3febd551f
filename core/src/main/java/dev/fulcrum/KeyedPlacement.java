package dev.fulcrum;

/**
 * Where a keyed request goes, on the baton holder's thread. Keys are sticky while busy: while a key has requests in
 * flight they all go to the worker that has the first, in order; once the last completes the key is forgotten and
 * its next request goes where the policy says. A keyed request whose worker is full is parked behind that worker:
 * at most {@code maxParkedPerKey} per key, or half of {@code maxParked} for a key whose worker is stalled (past that
 * it is answered with {@link KeyBacklogFullException}, so that a stuck key cannot freeze the others), and
 * {@code maxParked} in all. When parking is full the one request that needs parking next is held
 * ({@link BalancerAgent#held}) and the ring waits behind it until its worker drains: the price of bounded memory
 * with a FIFO ring.
 */
final class KeyedPlacement
{
    private final BalancerAgent balancer;
    private final KeyTable keys;
    private final Dispatcher dispatcher;
    private final WorkerLanes lanes;
    private final Counters counters;
    private final JobPool pool;
    private final int maxParked;
    private final int maxParkedPerKey;
    /** What a key bound to a stalled worker may park: half of maxParked, so that other keys keep the rest. */
    private final int maxParkedStalled;
    private long keyBacklogRejected;

    KeyedPlacement(final BalancerAgent balancer, final int maxParked, final int maxParkedPerKey)
    {
        this.balancer = balancer;
        this.keys = balancer.keys;
        this.dispatcher = balancer.dispatcher;
        this.lanes = balancer.lanes;
        this.counters = balancer.counters;
        this.pool = balancer.pool;
        this.maxParked = maxParked;
        this.maxParkedPerKey = maxParkedPerKey;
        this.maxParkedStalled = Math.max(1, maxParked / 2);
    }

    void place(final Job job)
    {
        final long key = job.key;
        final KeyTable.KeyState state = keys.get(key);
        if (null == state)
        {
            final int worker = dispatcher.select();
            keys.add(key, worker);
            counters.balancer(Counters.KEYS_IN_FLIGHT, keys.size());
            balancer.dispatch(job, worker);
            return;
        }

        final int worker = state.worker;
        if (!lanes.hasParked(worker) && dispatcher.hasRoom(worker))
        {
            state.inFlight++;
            balancer.dispatch(job, worker);
        }
        else if (state.parked >= maxParkedPerKey || (dispatcher.isOffline(worker) && state.parked >= maxParkedStalled))
        {
            reject(job, state);
        }
        else if (lanes.parkedTotal() < maxParked)
        {
            state.inFlight++;
            balancer.park(job, worker, state);
        }
        else
        {
            // parking is full: hold this one request and take nothing more from the ring until it is placed,
            // so memory stays bounded while requests that could be placed were not held back by the bound
            state.inFlight++;
            job.worker = worker;
            balancer.held = job;
        }
    }

    private void reject(final Job job, final KeyTable.KeyState state)
    {
        counters.balancer(Counters.KEY_BACKLOG_REJECTED, ++keyBacklogRejected);
        final boolean stalled = dispatcher.isOffline(state.worker);
        balancer.outbox().add(job.request, job.reply, new KeyBacklogFullException("key backlog full: key=" + job.key +
            " already has " + state.parked + " requests parked behind worker " + state.worker +
            (stalled ? ", which is stalled (limit maxParked/2=" + maxParkedStalled + ")" :
            " (limit maxParkedPerKey)")));
        pool.give(job);
    }

    /**
     * The held request arrived after every parked one, so it joins the back of its worker's parked list as soon as
     * parking has room again (or goes straight to the worker if it has room and nothing is parked before it).
     */
    void placeHeld()
    {
        final Job job = balancer.held;
        final int worker = job.worker;
        final KeyTable.KeyState state = keys.get(job.key);
        if (!lanes.hasParked(worker) && dispatcher.hasRoom(worker))
        {
            balancer.held = null;
            balancer.dispatch(job, worker);
        }
        else if (lanes.parkedTotal() < maxParked)
        {
            balancer.held = null;
            balancer.park(job, worker, state);
        }
    }
}
