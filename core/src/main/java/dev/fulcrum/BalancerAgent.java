package dev.fulcrum;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.concurrent.Agent;
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
 * Keyed requests are placed by {@link KeyedPlacement} (sticky while busy, parked behind a full worker, bounded per
 * key); completions are drained by {@link CompletionDrain}; work moved off a stalled, leaving or lost worker waits in
 * this class's moved FIFO, ahead of the ring.
 */
final class BalancerAgent implements Agent
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
    private final KeyedPlacement keyed;
    /** Copies moved off a stalled, leaving or lost worker, placed before anything new from the ring. */
    final MovedWork moved = new MovedWork(this);
    private final CompletionDrain completionDrain;
    /** Sets the dispatcher's cap from the workers' times per task; null when binding is fixed. */
    final AdaptiveBinding binding;
    private final Outbox ownOutbox = new Outbox(OUTBOX_CAPACITY);

    Job held;
    long dispatched;
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
    /** That job, run and replied to, for this thread's next cycle to take back: it passes no completion queue. */
    private Job directDone;
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
        final int workers,
        final AdaptiveBinding binding)
    {
        this.ring = ring;
        this.consumed = consumed;
        this.completions = completions;
        this.workerQueues = workerQueues;
        this.dispatcher = dispatcher;
        this.counters = counters;
        this.faults = faults;
        this.binding = binding;

        final int maxWorkers = workerQueues.length;
        final long poolSize = JobPool.sizeFor(maxWorkers, dispatcher.maxPending, maxParked);
        pool = new JobPool((int)poolSize);
        keys = new KeyTable((int)poolSize);
        hotKeys = new HotKeys(counters, keys);
        lanes = new WorkerLanes(maxWorkers);
        stallNotices = new StallNotices(maxWorkers);
        mover = new StallMover(this, dispatcher.maxPending);
        workerStates = new WorkerStates(this, maxWorkers, workers);
        keyed = new KeyedPlacement(this, maxParked, maxParkedPerKey);
        completionDrain = new CompletionDrain(this, (int)poolSize);
        dispatcher.reportFaultsTo(faults); // a policy of the user's reports its faults here, never throws them
        for (int w = workers; w < maxWorkers; w++)
        {
            dispatcher.offline(w, true); // slots for workers added later
        }
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
            if (batonWanted || (null == directDone && !hasInput()) || !BATON.compareAndSet(this, FREE, HELD))
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
        int work = 0;
        if (null != directDone)
        {
            final Job done = directDone;
            directDone = null;
            completionDrain.accept(done);
            work++;
        }
        work += cycleHoldingBaton();
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
     * The balancer's own thread, after running {@link #takeDirect()}'s job: the job to take back at the top of its
     * next cycle, once it holds the baton again, as if drained from the worker's completion queue.
     *
     * @param job run and replied to, or null when a deadline close abandoned it (nothing to take back).
     */
    void completedDirect(final Job job)
    {
        directDone = job;
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
        return completionDrain.any() || ring.isAvailable(consumed.get() + 1) || workerStates.mayHaveWork() ||
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
        work += completionDrain.drain();
        if (moved.hasAny())
        {
            work += moved.place();
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
        if (null != binding)
        {
            binding.afterCycle(dispatched);
        }
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
        return dispatcher.anyRoom() && null == held && 0 == moved.waiting && !outbox.isFull();
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
            keyed.place(job);
        }
        else
        {
            dispatch(job, dispatcher.select());
        }

        return canTakeNext();
    }

    /**
     * @return where this cycle's engine errors go (valid while a cycle runs).
     */
    Outbox outbox()
    {
        return outbox;
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
        moved.unmark(job);
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
        if (!lanes.hasParked(worker) && null == held)
        {
            return; // the common case, a completion with nothing parked anywhere near it: no store either
        }
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
            keyed.placeHeld();
        }
        counters.balancer(Counters.PARKED, lanes.parkedTotal());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // completions

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
