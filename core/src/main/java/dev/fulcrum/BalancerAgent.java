package dev.fulcrum;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

/**
 * The balancer's duty cycle, Pike's select: first drain completions (pending down, heap fixed, job recycled, parked
 * work released), then, while some worker has room, poll the ring, copy each slot into a pooled job, let the policy
 * pick the worker, and offer the job to that worker's queue. Sole owner of every piece of balancing state.
 * <p>
 * Keyed requests are sticky while busy: while a key has requests in flight they all go to the worker that has the
 * first, in order; once the last completes the key is forgotten and its next request goes where the policy says.
 * A keyed request whose worker is full is parked behind that worker (bounded by {@code maxParked}) so that other
 * keys keep flowing. When parking is full, the one request that needs parking next is held and the ring waits
 * behind it until its worker drains: the price of bounded memory with a FIFO ring.
 */
final class BalancerAgent implements Agent, MessagePassingQueue.Consumer<Job>
{
    static final long NOT_CLOSING = Long.MIN_VALUE;

    private final RingBuffer<RequestEvent> ring;
    /** Highest ring sequence taken; a gating sequence of the ring, so producers reuse a slot only after this. */
    private final Sequence consumed;
    private final MpscVarHandleArrayQueue<Job> completions;
    private final SpscVarHandleArrayQueue<Job>[] workerQueues;
    private final Dispatcher dispatcher;
    private final Counters counters;
    private final int completionBatch;

    private final Job[] freeJobs;
    private int freeJobCount;

    private final Long2ObjectHashMap<KeyState> keys;
    private final KeyState[] freeKeyStates;
    private int freeKeyStateCount;
    private final Job[] parkedHead;
    private final Job[] parkedTail;
    private final int maxParked;
    private int parked;
    private Job held;

    private long dispatched;

    private volatile long closeTarget = NOT_CLOSING;
    private volatile boolean drained;

    BalancerAgent(
        final RingBuffer<RequestEvent> ring,
        final Sequence consumed,
        final MpscVarHandleArrayQueue<Job> completions,
        final SpscVarHandleArrayQueue<Job>[] workerQueues,
        final Dispatcher dispatcher,
        final Counters counters,
        final int maxParked)
    {
        this.ring = ring;
        this.consumed = consumed;
        this.completions = completions;
        this.workerQueues = workerQueues;
        this.dispatcher = dispatcher;
        this.counters = counters;
        this.maxParked = maxParked;

        final int workers = workerQueues.length;
        final int poolSize = poolSize(workers, dispatcher.maxPending, maxParked);
        freeJobs = new Job[poolSize];
        for (int i = 0; i < poolSize; i++)
        {
            freeJobs[i] = new Job();
        }
        freeJobCount = poolSize;
        completionBatch = poolSize;

        // a key in flight holds at least one job, so the table never holds more keys than the pool has jobs
        keys = new Long2ObjectHashMap<>(Math.max(8, poolSize * 2), 0.65f);
        freeKeyStates = new KeyState[poolSize];
        for (int i = 0; i < poolSize; i++)
        {
            freeKeyStates[i] = new KeyState();
        }
        freeKeyStateCount = poolSize;
        parkedHead = new Job[workers];
        parkedTail = new Job[workers];
    }

    static int poolSize(final int workers, final int maxPending, final int maxParked)
    {
        // every job is dispatched (<= maxPending per worker), parked (<= maxParked) or held (<= 1)
        return workers * maxPending + maxParked + 1;
    }

    @Override
    public int doWork()
    {
        int work = completions.drain(this, completionBatch);

        if (canTakeNext())
        {
            work += takeFromRing();
        }

        final long target = closeTarget;
        if (NOT_CLOSING != target && !drained && consumed.get() >= target && freeJobCount == freeJobs.length)
        {
            drained = true;
        }

        return work;
    }

    /**
     * Take slots in order while each is published and the previous one left room for more. Availability is asked
     * one slot at a time (one acquire load of the slot's flag): Disruptor's {@code EventPoller} first scans for the
     * highest published sequence, every slot up to the cursor, which made each poll cost the whole backlog and
     * draining a full ring quadratic in its size.
     *
     * @return slots taken.
     */
    private int takeFromRing()
    {
        final long first = consumed.get() + 1;
        long next = first;
        boolean more = true;
        while (more && ring.isAvailable(next))
        {
            more = take(ring.get(next));
            next++;
        }
        if (next != first)
        {
            consumed.set(next - 1); // release: pairs with the producers' acquire of the gating sequence
        }
        return (int)(next - first);
    }

    /**
     * Some worker has room and no request is held, so the next slot is worth a look: an unkeyed request or a free
     * key goes to a worker with room; a busy key whose worker is full is parked, or held when parking is full.
     */
    private boolean canTakeNext()
    {
        return dispatcher.anyRoom() && null == held;
    }

    /**
     * Copy one slot into a pooled job and place it.
     *
     * @return true when the next slot may be taken too.
     */
    private boolean take(final RequestEvent event)
    {
        final int kind = event.kind;
        if (RequestEvent.CANCELLED == kind)
        {
            event.clear();
            return true;
        }

        final Job job = freeJobs[--freeJobCount];
        freeJobs[freeJobCount] = null;
        job.request = event.request;
        job.reply = event.reply;
        job.key = event.key;
        job.keyed = RequestEvent.KEYED == kind;
        event.clear();

        if (job.keyed)
        {
            placeKeyed(job);
        }
        else
        {
            dispatch(job, dispatcher.select());
        }

        return canTakeNext();
    }

    private void placeKeyed(final Job job)
    {
        final long key = job.key;
        KeyState state = keys.get(key);
        if (null == state)
        {
            final int worker = dispatcher.select();
            state = freeKeyStates[--freeKeyStateCount];
            freeKeyStates[freeKeyStateCount] = null;
            state.worker = worker;
            state.inFlight = 1;
            keys.put(key, state);
            counters.balancer(Counters.KEYS_IN_FLIGHT, keys.size());
            dispatch(job, worker);
        }
        else
        {
            state.inFlight++;
            final int worker = state.worker;
            if (null == parkedHead[worker] && dispatcher.hasRoom(worker))
            {
                dispatch(job, worker);
            }
            else if (parked < maxParked)
            {
                park(job, worker);
            }
            else
            {
                // parking is full: hold this one request and take nothing more from the ring until it is placed,
                // so memory stays bounded while requests that could be placed were not held back by the bound
                job.worker = worker;
                held = job;
            }
        }
    }

    /**
     * The held request arrived after every parked one, so it joins the back of its worker's parked list as soon as
     * parking has room again (or goes straight to the worker if it has room and nothing is parked before it).
     */
    private void placeHeld()
    {
        final Job job = held;
        final int worker = job.worker;
        if (null == parkedHead[worker] && dispatcher.hasRoom(worker))
        {
            held = null;
            dispatch(job, worker);
        }
        else if (parked < maxParked)
        {
            held = null;
            park(job, worker);
        }
    }

    private void park(final Job job, final int worker)
    {
        job.worker = worker;
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
        counters.balancer(Counters.PARKED, ++parked);
    }

    private void dispatch(final Job job, final int worker)
    {
        job.worker = worker;
        dispatcher.onDispatch(worker);
        counters.pending(worker, dispatcher.pending(worker));
        counters.balancer(Counters.DISPATCHED, ++dispatched);
        if (!workerQueues[worker].offer(job))
        {
            // capacity >= maxPending >= pending, so this is a broken invariant, not backpressure
            throw new IllegalStateException("worker queue full with room left: worker=" + worker);
        }
    }

    /**
     * A completion: the worker has replied and given the job back.
     */
    @Override
    public void accept(final Job job)
    {
        final int worker = job.worker;
        dispatcher.onComplete(worker);

        if (job.keyed)
        {
            final long key = job.key;
            final KeyState state = keys.get(key);
            if (--state.inFlight == 0)
            {
                keys.remove(key);
                state.worker = -1;
                freeKeyStates[freeKeyStateCount++] = state;
                counters.balancer(Counters.KEYS_IN_FLIGHT, keys.size());
            }
        }

        job.clear();
        freeJobs[freeJobCount++] = job;

        Job next = parkedHead[worker];
        while (null != next && dispatcher.hasRoom(worker))
        {
            final Job after = next.nextParked;
            next.nextParked = null;
            parked--;
            dispatch(next, worker);
            next = after;
        }
        parkedHead[worker] = next;
        if (null == next)
        {
            parkedTail[worker] = null;
        }
        if (null != held)
        {
            placeHeld();
        }
        counters.balancer(Counters.PARKED, parked);
        counters.pending(worker, dispatcher.pending(worker));
    }

    /**
     * Called by {@code close()} once it has refused new work: drain until the ring is consumed up to
     * {@code lastClaimed} and every job is back in the pool.
     *
     * @param lastClaimed highest sequence any requester claimed before the balancer was marked closed.
     */
    void drainTo(final long lastClaimed)
    {
        closeTarget = lastClaimed;
    }

    boolean isDrained()
    {
        return drained;
    }

    int freeJobs()
    {
        return freeJobCount;
    }

    int poolSize()
    {
        return freeJobs.length;
    }

    @Override
    public String roleName()
    {
        return "fulcrum-balancer";
    }

    /**
     * Where a busy key's requests go and how many of them are in flight (dispatched or parked).
     */
    static final class KeyState
    {
        int worker = -1;
        int inFlight;
    }
}
