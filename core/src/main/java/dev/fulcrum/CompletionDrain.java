package dev.fulcrum;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

/**
 * The balancer's side of the completion queues, on the baton holder's thread: each job a worker hands back lowers
 * its worker's pending count (the policy's heap fixed), ends its key's stay on the worker when it was the key's last
 * in flight, goes back to the pool (or, sent to a lost remote worker and safe to run twice, goes again), and lets the
 * worker's parked work follow.
 */
final class CompletionDrain implements MessagePassingQueue.Consumer<Job>
{
    private final BalancerAgent balancer;
    /** One per worker (SPSC: the worker hands back, the baton holder takes), so a hand-back costs no CAS. */
    private final SpscVarHandleArrayQueue<Job>[] completions;
    private final Dispatcher dispatcher;
    private final WorkerLanes lanes;
    private final KeyTable keys;
    private final JobPool pool;
    private final Counters counters;
    private final int batch;

    CompletionDrain(final BalancerAgent balancer, final int batch)
    {
        this.balancer = balancer;
        this.completions = balancer.completions;
        this.dispatcher = balancer.dispatcher;
        this.lanes = balancer.lanes;
        this.keys = balancer.keys;
        this.pool = balancer.pool;
        this.counters = balancer.counters;
        this.batch = batch;
    }

    /**
     * Only a worker with something pending can hand a job back, so idle slots cost one array read each.
     */
    boolean any()
    {
        final SpscVarHandleArrayQueue<Job>[] queues = completions;
        for (int w = 0; w < queues.length; w++)
        {
            if (dispatcher.pending[w] > 0 && !queues[w].isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    int drain()
    {
        int work = 0;
        final SpscVarHandleArrayQueue<Job>[] queues = completions;
        for (int w = 0; w < queues.length; w++)
        {
            if (dispatcher.pending[w] > 0)
            {
                work += queues[w].drain(this, batch);
            }
        }
        return work;
    }

    /**
     * A worker handed a job back: it ran and replied, or it was revoked before it started (its request moved on
     * or was answered), in which case only the worker's capacity is given back.
     */
    @Override
    public void accept(final Job job)
    {
        final int worker = job.worker;
        dispatcher.onComplete(worker);
        if (dispatcher.timed && Job.DONE == job.state() && !job.retry)
        {
            final long nowNs = System.nanoTime(); // a request that ran: its round trip, for a policy that asked
            dispatcher.onRoundTrip(worker, nowNs - job.dispatchNs, nowNs);
        }
        lanes.removeOutstanding(worker, job);

        if (job.keyed && Job.DONE == job.state())
        {
            final long key = job.key;
            final KeyTable.KeyState state = keys.get(key);
            if (--state.inFlight == 0)
            {
                keys.remove(key, state);
                counters.balancer(Counters.KEYS_IN_FLIGHT, keys.size());
            }
        }

        if (job.retry)
        {
            retry(job); // a lost remote worker sent it and never answered: safe to run twice, so it goes again
        }
        else
        {
            pool.give(job);
        }
        balancer.releaseParked(worker);
        counters.pending(worker, dispatcher.pending(worker));
        balancer.workerStates.completedOn(worker);
    }

    /**
     * Dispatch a copy of {@code job} (unkeyed) as work moved off a worker is: before anything new from the ring.
     */
    private void retry(final Job job)
    {
        final Object request = job.request;
        final Reply<Object, Object> reply = job.reply;
        final long submitNs = job.submitNs;
        pool.give(job);
        final Job copy = pool.take();
        copy.request = request;
        copy.reply = reply;
        copy.submitNs = submitNs;
        balancer.moved.add(copy);
    }

}
