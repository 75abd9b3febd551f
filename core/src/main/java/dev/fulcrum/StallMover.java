package dev.fulcrum;

/**
 * Moves what a stalled worker holds but has not started to other workers, on the baton holder's thread, without
 * running anything twice and without reordering a key:
 * <ol>
 *     <li>Revoke the worker's queued jobs newest first. The worker takes its queue oldest first, so of one key's
 *     jobs the revoked ones are always a suffix; a key with any job the worker still holds (running, or done and
 *     not yet handed back) is <em>pinned</em>: it stays.</li>
 *     <li>Each revoked job is replaced by a copy from the pool (the original stays in the queue, counted against
 *     the worker's capacity, until the worker skips it and hands it back). An unkeyed copy goes where the policy
 *     says; a copy of a pinned key's job goes back in front of the stalled worker's parked jobs, in order; a copy
 *     of any other key goes, with that key's parked jobs after it, to one new worker for the key.</li>
 *     <li>The stalled worker's parked jobs of keys that are not pinned move too; held work follows its key.</li>
 * </ol>
 * Allocation-free: the scratch arrays are sized at build time.
 */
final class StallMover
{
    private final BalancerAgent balancer;
    private final Job[] scratch;
    private final boolean[] revoked;
    private final KeyTable.KeyState[] touched;
    private int touchedCount;
    private long moved;

    StallMover(final BalancerAgent balancer, final int maxPending)
    {
        this.balancer = balancer;
        scratch = new Job[maxPending];
        revoked = new boolean[maxPending];
        touched = new KeyTable.KeyState[balancer.pool.size()];
    }

    /**
     * @param stalled the worker just taken out of rotation.
     */
    void moveQueued(final int stalled)
    {
        final Dispatcher dispatcher = balancer.dispatcher;
        if (-1 == leastLoadedOnline())
        {
            return; // every worker is stalled: there is nowhere to move to
        }
        final WorkerLanes lanes = balancer.lanes;
        final KeyTable keys = balancer.keys;
        final long movedBefore = moved;

        int n = 0;
        for (Job j = lanes.outstanding(stalled); null != j; j = j.nextOutstanding)
        {
            scratch[n++] = j;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            final Job job = scratch[i];
            revoked[i] = job.revoke();
            if (!revoked[i] && job.keyed && Job.REVOKED != job.state())
            {
                pin(keys.get(job.key));
            }
        }

        Job backFirst = null;
        Job backLast = null;
        int backCount = 0;
        for (int i = 0; i < n; i++)
        {
            final Job original = scratch[i];
            scratch[i] = null;
            if (!revoked[i])
            {
                continue;
            }
            final Job copy = balancer.pool.take();
            copy.copyRequestOf(original);
            moved++;
            if (!copy.keyed)
            {
                placeUnkeyed(copy);
                continue;
            }
            final KeyTable.KeyState state = keys.get(copy.key);
            if (state.pinned)
            {
                copy.worker = stalled;
                state.parked++;
                if (null == backFirst)
                {
                    backFirst = copy;
                }
                else
                {
                    backLast.nextParked = copy;
                }
                backLast = copy;
                backCount++;
            }
            else
            {
                balancer.moved.parkBehind(copy, target(state), state);
            }
        }

        Job keepFirst = null;
        Job keepLast = null;
        int keepCount = 0;
        Job parked = lanes.unparkAll(stalled);
        while (null != parked)
        {
            final Job next = parked.nextParked;
            parked.nextParked = null;
            final KeyTable.KeyState state = parked.keyed ? keys.get(parked.key) : null;
            if (null != state && state.pinned)
            {
                balancer.moved.unmark(parked); // it waits for this worker now, which must not hold the ring back
                if (null == keepFirst)
                {
                    keepFirst = parked;
                }
                else
                {
                    keepLast.nextParked = parked;
                }
                keepLast = parked;
                keepCount++;
            }
            else
            {
                moved++;
                if (null == state)
                {
                    placeUnkeyed(parked);
                }
                else
                {
                    state.parked--;
                    balancer.park(parked, target(state), state);
                }
            }
            parked = next;
        }
        if (null != keepFirst)
        {
            lanes.parkFirst(stalled, keepFirst, keepLast, keepCount);
        }
        if (null != backFirst)
        {
            lanes.parkFirst(stalled, backFirst, backLast, backCount);
        }

        final Job held = balancer.held;
        if (null != held && held.worker == stalled)
        {
            final KeyTable.KeyState state = keys.get(held.key);
            if (!state.pinned)
            {
                held.worker = target(state);
            }
        }

        for (int i = 0; i < touchedCount; i++)
        {
            final KeyTable.KeyState state = touched[i];
            touched[i] = null;
            if (!state.pinned && state.movedTo >= 0)
            {
                state.worker = state.movedTo;
            }
            state.pinned = false;
            state.movedTo = -1;
        }
        touchedCount = 0;

        for (int w = 0; w < dispatcher.workers(); w++)
        {
            if (w != stalled)
            {
                balancer.releaseParked(w);
            }
        }
        final Counters counters = balancer.counters;
        counters.balancerView(stalled, Counters.WORKER_MOVED,
            counters.balancerView(stalled, Counters.WORKER_MOVED) + (moved - movedBefore));
        counters.balancer(Counters.MOVED, moved);
        counters.balancer(Counters.PARKED, lanes.parkedTotal());
        if (moved != movedBefore)
        {
            JfrEvents.moved(stalled, moved - movedBefore, balancer.workerStates.isLeaving(stalled));
        }
    }

    private void pin(final KeyTable.KeyState state)
    {
        if (!state.pinned)
        {
            state.pinned = true;
            touched[touchedCount++] = state;
        }
    }

    /**
     * @return the worker a moving key goes to, chosen once per key and stall.
     */
    private int target(final KeyTable.KeyState state)
    {
        if (state.movedTo < 0)
        {
            final int chosen = balancer.dispatcher.select();
            state.movedTo = chosen >= 0 ? chosen : leastLoadedOnline();
            touched[touchedCount++] = state;
        }
        return state.movedTo;
    }

    private void placeUnkeyed(final Job job)
    {
        final int chosen = balancer.dispatcher.select();
        if (chosen >= 0)
        {
            balancer.dispatch(job, chosen);
        }
        else
        {
            balancer.moved.add(job);
        }
    }

    private int leastLoadedOnline()
    {
        final Dispatcher dispatcher = balancer.dispatcher;
        int best = -1;
        for (int w = 0; w < dispatcher.workers(); w++)
        {
            if (!dispatcher.isOffline(w) && (best < 0 || dispatcher.pending(w) < dispatcher.pending(best)))
            {
                best = w;
            }
        }
        return best;
    }
}
