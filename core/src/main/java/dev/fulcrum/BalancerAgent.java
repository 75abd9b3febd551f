package dev.fulcrum;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The balancer's duty cycle, Pike's select: apply pool changes and stall notices ({@link WorkerStates}), drain completions (pending
 * down, heap fixed, job recycled, parked work released), then, while some worker has room, take from the ring,
 * copy each slot into a pooled job, let the policy pick the worker, and offer the job to that worker's queue.
 * <p>
 * The baton: all balancing state belongs to whichever thread holds the baton, one at a time, taken with one
 * compare-and-set at the top of each cycle and released at its end (the release/acquire pair carries the state
 * from one holder to the next). Normally that is the balancer's own thread (worker 0's in SHARED, the application's
 * in INVOKER); when that thread is stuck in user code the watchdog runs the cycle instead, and a closing thread
 * takes the baton for good to answer what is left at a deadline. The cycle itself never calls user code (but a custom
 * policy's {@link WorkerChooser}, which must neither block nor throw, and whose throws its dispatcher catches): engine
 * errors it decides go to the caller's {@link Outbox}, delivered after the baton is released.
 * <p>
 * Keyed requests are sticky while busy: while a key has requests in flight they all go to the worker that has the
 * first, in order; once the last completes the key is forgotten and its next request goes where the policy says.
 * A keyed request whose worker is full is parked behind that worker: at most {@code maxParkedPerKey} per key, or
 * half of {@code maxParked} for a key whose worker is stalled (past that it is answered with
 * {@link KeyBacklogFullException}, so that a stuck key cannot freeze the others), and {@code maxParked} in all.
 * When parking is full the one request that needs parking next is held and the ring waits behind it until its
 * worker drains: the price of bounded memory with a FIFO ring.
 */
final class BalancerAgent implements Agent, MessagePassingQueue.Consumer<Job>
{
    static final long NOT_CLOSING = Long.MIN_VALUE;
    private static final int FREE = 0;
    private static final int HELD = 1;
    private static final int CLOSED = 2;
    private static final int OUTBOX_CAPACITY = 64;
    private static final VarHandle BATON;

    static
    {
        try
        {
            BATON = MethodHandles.lookup().findVarHandle(BalancerAgent.class, "baton", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final RingBuffer<RequestEvent> ring;
    /** Highest ring sequence taken; a gating sequence of the ring, so producers reuse a slot only after this. */
    final Sequence consumed;
    /** One per worker (SPSC: the worker hands back, the baton holder takes), so a hand-back costs no CAS. */
    final SpscVarHandleArrayQueue<Job>[] completions;
    final SpscVarHandleArrayQueue<Job>[] workerQueues;
    final Dispatcher dispatcher;
    final Counters counters;
    final EngineFaults faults;
    final JobPool pool;
    final WorkerLanes lanes;
    final KeyTable keys;
    final StallNotices stallNotices;
    final WorkerStates workerStates;
    /** The hottest keys, for the counters: looked at every so many cycles (see {@link HotKeys}). */
    final HotKeys hotKeys;
    private final StallMover mover;
    private final int completionBatch;
    private final int maxParked;
    private final int maxParkedPerKey;
    /** What a key bound to a stalled worker may park: half of maxParked, so that other keys keep the rest. */
    private final int maxParkedStalled;
    private final Outbox ownOutbox = new Outbox(OUTBOX_CAPACITY);

    Job held;
    long dispatched;
    private Job movedHead;
    private Job movedTail;
    /** Moved copies not yet dispatched to an online worker; while any waits, nothing is taken from the ring. */
    private int movedWaiting;
    private long keyBacklogRejected;
    private long ownActivity;
    private long ownInterruptsCleared;
    private Outbox outbox;
    /** False in INVOKER mode, where {@link #doWork()} runs on the application's thread. */
    private boolean onEngineThread = true;

    @SuppressWarnings("unused") // through BATON
    private volatile int baton;
    private volatile long closeTarget = NOT_CLOSING;
    /** Set by a closer that wants the baton for good. */
    private volatile boolean batonWanted;
    /** The balancer's own thread holds the baton between cycles (that thread only). */
    private boolean holding;
    /** SHARED mode: worker 0 runs on the balancer's own thread (see {@link #takeDirect()}); -1 otherwise. */
    private int directWorker = -1;
    /** True while the balancer's own thread runs a cycle (not the watchdog's takeover, not a closer). */
    private boolean ownThreadCycle;
    /** A job for {@link #directWorker} that its thread runs right after this cycle: it passes no queue. */
    private Job direct;
    private volatile boolean drained;

    BalancerAgent(
        final RingBuffer<RequestEvent> ring,
        final Sequence consumed,
        final SpscVarHandleArrayQueue<Job>[] completions,
        final SpscVarHandleArrayQueue<Job>[] workerQueues,
        final Dispatcher dispatcher,
        final Counters counters,
        final EngineFaults faults,
        final int maxParked,
        final int maxParkedPerKey,
        final int workers)
    {
        this.ring = ring;
        this.consumed = consumed;
        this.completions = completions;
        this.workerQueues = workerQueues;
        this.dispatcher = dispatcher;
        this.counters = counters;
        this.faults = faults;
        this.maxParked = maxParked;
        this.maxParkedPerKey = maxParkedPerKey;
        this.maxParkedStalled = Math.max(1, maxParked / 2);

        final int maxWorkers = workerQueues.length;
        final long poolSize = poolSize(maxWorkers, dispatcher.maxPending, maxParked);
        pool = new JobPool((int)poolSize);
        completionBatch = (int)poolSize;
        keys = new KeyTable((int)poolSize);
        hotKeys = new HotKeys(counters, keys);
        lanes = new WorkerLanes(maxWorkers);
        stallNotices = new StallNotices(maxWorkers);
        mover = new StallMover(this, dispatcher.maxPending);
        workerStates = new WorkerStates(this, maxWorkers, workers);
        dispatcher.reportFaultsTo(faults); // a policy of the user's reports its faults here, never throws them
        for (int w = workers; w < maxWorkers; w++)
        {
            dispatcher.offline(w, true); // slots for workers added later
        }
    }

    /**
     * Every job is dispatched or revoked-and-not-yet-handed-back (together at most maxPending per worker, as the
     * pending count covers both); a moved copy waiting for an online worker (dispatched and waiting copies together
     * stay within workers x maxPending, because nothing is taken from the ring while a copy waits); a copy parked
     * back behind its own stalled worker (at most what that worker held); parked (at most maxParked); or held (1).
     */
    static long poolSize(final int workers, final int maxPending, final int maxParked)
    {
        return 3L * workers * maxPending + maxParked + 1;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the duty cycle and its baton

    /**
     * The cycle as the balancer's own thread runs it: engine errors go to its own outbox, delivered here, with its
     * activity count odd meanwhile so that the watchdog can tell when a reply keeps it too long.
     */
    @Override
    public int doWork()
    {
        final int work = onEngineThread ? ownCycle() : cycle(ownOutbox);
        if (!ownOutbox.isEmpty())
        {
            letGo(); // engine errors go to replies: user code, so the baton must be free meanwhile
            counters.balancer(Counters.BALANCER_ACTIVITY, ++ownActivity);
            ownOutbox.deliver(faults);
            counters.balancer(Counters.BALANCER_ACTIVITY, ++ownActivity);
            if (onEngineThread && Thread.interrupted())
            {
                interruptCleared(); // the application's thread (INVOKER) keeps its own flag
            }
        }
        return work;
    }

    void runsOnApplicationThread()
    {
        onEngineThread = false;
    }

    /**
     * The balancer's own thread found its interrupt flag set (after engine errors it delivered, or while idle).
     */
    void interruptCleared()
    {
        counters.balancer(Counters.BALANCER_INTERRUPTS_CLEARED, ++ownInterruptsCleared);
        faults.interruptLeftSet(roleName());
    }

    /**
     * The cycle on the balancer's own engine thread, which keeps the baton from one cycle to the next (a
     * compare-and-set only when it takes it back): it lets go before running user code on its thread
     * ({@link #letGo()}: engine errors here, worker 0's tasks in SHARED mode) and when another thread asks for it
     * ({@link #seize()}), so the watchdog and a closer get it exactly when they need it.
     */
    private int ownCycle()
    {
        if (!holding)
        {
            if (batonWanted || !hasInput() || !BATON.compareAndSet(this, FREE, HELD))
            {
                return 0; // (a closer that asked gets it: this thread does not race it for the baton)
            }
            holding = true;
        }
        if (batonWanted)
        {
            letGo();
            return 0;
        }
        this.outbox = ownOutbox;
        ownThreadCycle = true;
        final int work = cycleHoldingBaton();
        ownThreadCycle = false;
        this.outbox = null;
        return work;
    }

    /**
     * SHARED mode: worker {@code worker} (0) runs on the balancer's own thread, so a job for it with nothing queued
     * before it can be handed over on that thread without a queue: see {@link #takeDirect()}.
     */
    void directTo(final int worker)
    {
        directWorker = worker;
    }

    /**
     * The balancer's own thread, after its cycle: the job dispatched to {@link #directWorker} in that cycle that
     * passed no queue, for that thread to run now (after {@link #letGo()}, as for any user code), or null. It is
     * already {@link Job#RUNNING} (set while the cycle held the baton, so neither a move nor a deadline close can
     * revoke it as queued), which saves the queue's two hand-offs and the claim's compare-and-set.
     */
    Job takeDirect()
    {
        final Job job = direct;
        direct = null;
        return job;
    }

    /**
     * The balancer's own thread is about to run user code, or another thread wants the baton: release it.
     */
    void letGo()
    {
        if (holding)
        {
            holding = false;
            BATON.setRelease(this, FREE); // pairs with the next holder's compare-and-set
        }
    }

    /**
     * Any thread: whether a cycle would find anything to do (racy, read before taking the baton).
     */
    private boolean hasInput()
    {
        return anyCompletion() || ring.isAvailable(consumed.get() + 1) || workerStates.mayHaveWork() ||
            NOT_CLOSING != closeTarget;
    }

    /**
     * One duty cycle, if the baton is free; the caller delivers {@code outbox} afterwards.
     *
     * @return work done, 0 when another thread holds the baton.
     */
    int cycle(final Outbox outbox)
    {
        // look before taking the baton, so that an idle loop costs loads only: every input a cycle acts on is
        // visible from any thread (the completion queue's indices, the ring's next slot, the notices' epoch)
        if (!hasInput())
        {
            return 0;
        }
        if (!BATON.compareAndSet(this, FREE, HELD))
        {
            return 0;
        }
        try
        {
            this.outbox = outbox;
            return cycleHoldingBaton();
        }
        finally
        {
            this.outbox = null;
            BATON.setRelease(this, FREE); // pairs with the next holder's compare-and-set
        }
    }

    /**
     * Take the baton and keep it: the caller (a closer at its deadline) owns the balancing state from now on and
     * no duty cycle runs again. Waits for a cycle in progress to end (cycles run no user code, so not for long).
     */
    void seize()
    {
        batonWanted = true; // the balancer's own thread lets go at the top of its next cycle
        while (!BATON.compareAndSet(this, FREE, CLOSED))
        {
            if (CLOSED == (int)BATON.getVolatile(this))
            {
                throw new IllegalStateException("balancer already seized by a closer");
            }
            Thread.onSpinWait();
        }
    }

    private int cycleHoldingBaton()
    {
        int work = 0;
        if (workerStates.mayHaveWork())
        {
            work += workerStates.apply();
        }
        work += drainCompletions();
        if (null != movedHead)
        {
            work += placeMoved();
        }

        if (canTakeNext())
        {
            work += takeFromRing();
        }

        final long target = closeTarget;
        if (NOT_CLOSING != target && !drained && consumed.get() >= target && pool.isFull())
        {
            drained = true;
        }
        hotKeys.afterCycle();
        return work;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // taking from the ring and placing

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
     * Some worker has room, no request is held and the outbox has room, so the next slot is worth a look.
     */
    private boolean canTakeNext()
    {
        return dispatcher.anyRoom() && null == held && 0 == movedWaiting && !outbox.isFull();
    }

    /**
     * Requests moved off a stalled or leaving worker are older than anything in the ring: place them first.
     */
    private int placeMoved()
    {
        int placed = 0;
        while (null != movedHead && dispatcher.anyRoom())
        {
            final Job job = movedHead;
            movedHead = job.nextParked;
            if (null == movedHead)
            {
                movedTail = null;
            }
            job.nextParked = null;
            dispatch(job, dispatcher.select());
            placed++;
        }
        return placed;
    }

    /**
     * A moved copy waits for a worker with room, in the balancer's own FIFO; the ring waits until it is placed.
     */
    void addMoved(final Job job)
    {
        job.moved = true;
        movedWaiting++;
        if (null == movedTail)
        {
            movedHead = job;
        }
        else
        {
            movedTail.nextParked = job;
        }
        movedTail = job;
    }

    /**
     * A moved keyed copy parked behind the key's new (online) worker: the ring waits until it is dispatched.
     */
    void parkMoved(final Job job, final int worker, final KeyTable.KeyState state)
    {
        job.moved = true;
        movedWaiting++;
        park(job, worker, state);
    }

    void unmarkMoved(final Job job)
    {
        if (job.moved)
        {
            job.moved = false;
            movedWaiting--;
        }
    }

    Job movedHead()
    {
        return movedHead;
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

        final Job job = pool.take();
        job.request = event.request;
        job.reply = event.reply;
        job.key = event.key;
        job.keyed = RequestEvent.KEYED == kind;
        job.submitNs = event.submitNs; // 0 unless latency histograms are on; overwritten at each fill, never cleared
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
        final KeyTable.KeyState state = keys.get(key);
        if (null == state)
        {
            final int worker = dispatcher.select();
            keys.add(key, worker);
            counters.balancer(Counters.KEYS_IN_FLIGHT, keys.size());
            dispatch(job, worker);
            return;
        }

        final int worker = state.worker;
        if (!lanes.hasParked(worker) && dispatcher.hasRoom(worker))
        {
            state.inFlight++;
            dispatch(job, worker);
        }
        else if (state.parked >= maxParkedPerKey || (dispatcher.isOffline(worker) && state.parked >= maxParkedStalled))
        {
            reject(job, state);
        }
        else if (lanes.parkedTotal() < maxParked)
        {
            state.inFlight++;
            park(job, worker, state);
        }
        else
        {
            // parking is full: hold this one request and take nothing more from the ring until it is placed,
            // so memory stays bounded while requests that could be placed were not held back by the bound
            state.inFlight++;
            job.worker = worker;
            held = job;
        }
    }

    private void reject(final Job job, final KeyTable.KeyState state)
    {
        counters.balancer(Counters.KEY_BACKLOG_REJECTED, ++keyBacklogRejected);
        final boolean stalled = dispatcher.isOffline(state.worker);
        outbox.add(job.request, job.reply, new KeyBacklogFullException("key backlog full: key=" + job.key +
            " already has " + state.parked + " requests parked behind worker " + state.worker +
            (stalled ? ", which is stalled (limit maxParked/2=" + maxParkedStalled + ")" :
            " (limit maxParkedPerKey)")));
        pool.give(job);
    }

    /**
     * The held request arrived after every parked one, so it joins the back of its worker's parked list as soon as
     * parking has room again (or goes straight to the worker if it has room and nothing is parked before it).
     */
    private void placeHeld()
    {
        final Job job = held;
        final int worker = job.worker;
        final KeyTable.KeyState state = keys.get(job.key);
        if (!lanes.hasParked(worker) && dispatcher.hasRoom(worker))
        {
            held = null;
            dispatch(job, worker);
        }
        else if (lanes.parkedTotal() < maxParked)
        {
            held = null;
            park(job, worker, state);
        }
    }

    void park(final Job job, final int worker, final KeyTable.KeyState state)
    {
        lanes.park(worker, job);
        if (null != state)
        {
            state.parked++;
        }
        counters.balancer(Counters.PARKED, lanes.parkedTotal());
    }

    void dispatch(final Job job, final int worker)
    {
        unmarkMoved(job);
        job.worker = worker;
        dispatcher.onDispatch(worker);
        if (dispatcher.timed)
        {
            job.dispatchNs = System.nanoTime(); // only for a policy that asked for round-trip times
        }
        lanes.addOutstanding(worker, job);
        counters.pending(worker, dispatcher.pending(worker));
        counters.balancer(Counters.DISPATCHED, ++dispatched);
        if (worker == directWorker && ownThreadCycle && null == direct && workerQueues[worker].isEmpty())
        {
            job.startedByBalancer(); // nothing queued before it: its own thread runs it after this cycle
            direct = job;
            return;
        }
        job.queued();
        if (!workerQueues[worker].offer(job))
        {
            // capacity >= maxPending >= pending, so this is a broken invariant, not backpressure
            throw new IllegalStateException("worker queue full with room left: worker=" + worker);
        }
    }

    /**
     * Dispatch the worker's parked jobs, in order, while it has room.
     */
    void releaseParked(final int worker)
    {
        while (lanes.hasParked(worker) && dispatcher.hasRoom(worker))
        {
            final Job next = lanes.unparkFirst(worker);
            if (next.keyed)
            {
                keys.get(next.key).parked--;
            }
            dispatch(next, worker);
        }
        if (null != held)
        {
            placeHeld();
        }
        counters.balancer(Counters.PARKED, lanes.parkedTotal());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // completions

    /**
     * Only a worker with something pending can hand a job back, so idle slots cost one array read each.
     */
    private boolean anyCompletion()
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

    private int drainCompletions()
    {
        int work = 0;
        final SpscVarHandleArrayQueue<Job>[] queues = completions;
        for (int w = 0; w < queues.length; w++)
        {
            if (dispatcher.pending[w] > 0)
            {
                work += queues[w].drain(this, completionBatch);
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
        releaseParked(worker);
        counters.pending(worker, dispatcher.pending(worker));
        workerStates.completedOn(worker);
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
        addMoved(copy);
    }

    /**
     * Move what {@code worker} holds and has not started to other workers (it stalled or is leaving).
     */
    void moveQueued(final int worker)
    {
        mover.moveQueued(worker);
    }

    /**
     * @return true when nothing is dispatched to, parked behind or held for {@code worker}.
     */
    boolean holdsNothing(final int worker)
    {
        return 0 == dispatcher.pending(worker) && !lanes.hasParked(worker) && (null == held || held.worker != worker);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // close

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
        return pool.free();
    }

    int poolSize()
    {
        return pool.size();
    }

    @Override
    public String roleName()
    {
        return "fulcrum-balancer";
    }
}
