package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.util.Arrays;

/**
 * A remote worker's engine thread: takes the jobs the balancer dispatched to its slot, claims each and sends it
 * through the {@link WorkerLink}, polls the link for results and replies to the requesters on this thread, then
 * hands each job back to the balancer over the slot's completion queue, exactly as a local {@link WorkerAgent} does.
 * <p>
 * In flight: every job sent and not yet answered sits in a slot of its own, named by an id that carries the slot
 * and a sequence number that grows with every send, so a reply whose id is not the one in its slot (late, after
 * the job was answered some other way, or made up) finds nothing and is counted and dropped. At most one job is
 * claimed and not yet accepted by the link (it said {@link WorkerLink#FULL} or {@link WorkerLink#NOT_CONNECTED}):
 * it is sent again before anything else.
 * <p>
 * Loss ({@link WorkerLink#isAlive(long)} false, or the link threw): the unsent job is given back to the queued state
 * ({@link Job#unclaim()}) so the balancer moves it as any queued job; the worker is posted as leaving; every job sent
 * and not answered is answered in the order it was sent: {@link WorkerLostException}, or, for an unkeyed request
 * the link calls {@link WorkerLink#safeToRunTwice(Object) safe to run twice}, handed back for the balancer to
 * dispatch again. From then on nothing is claimed: revoked jobs are handed back as the balancer's mover revokes them
 * (a job still queued at the head waits for that), until the balancer sees the worker hold nothing and stops the
 * thread.
 * <p>
 * Around each duty cycle's use of the link (the user's codec and replies run inside it) the activity count is odd,
 * so the watchdog sees a link that blocks as a stalled worker.
 */
final class RemoteWorkerAgent implements Agent, WorkerLink.Replies<Object>
{
    private static final int SLOT_BITS = 20;
    private static final long SLOT_MASK = (1L << SLOT_BITS) - 1;

    private final int index;
    private final SpscVarHandleArrayQueue<Job> queue;
    private final SpscVarHandleArrayQueue<Job> completions;
    private final WorkerLink<Object, Object> link;
    private final EngineFaults faults;
    private final Counters counters;
    /** Posts this worker as leaving (on this thread, once, at loss). */
    private final Runnable onLost;
    private final String roleName;
    private final Job[] inFlight;
    /** The id of each slot's job; 0 when the slot is free. */
    private final long[] ids;
    private final int[] free;
    private final long[] lossOrder;
    private int freeCount;
    private long sequence;
    /** Claimed, not yet accepted by the link; its slot is {@link #unsentSlot}. */
    private Job unsent;
    private int unsentSlot;
    /** After loss: the unsent job, given back to QUEUED, until the balancer revokes it. */
    private Job unclaimed;
    private boolean started;
    private boolean lost;
    private boolean linkClosed;

    private long activity;
    private long completed;
    private long failed;
    private long replyErrors;
    private long interruptsCleared;
    private volatile long unknownReplies;
    private volatile boolean engineStopping;

    @SuppressWarnings("unchecked")
    RemoteWorkerAgent(
        final int index,
        final SpscVarHandleArrayQueue<Job> queue,
        final SpscVarHandleArrayQueue<Job> completions,
        final WorkerLink<?, ?> link,
        final EngineFaults faults,
        final Counters counters,
        final int capacity,
        final Runnable onLost)
    {
        if (capacity > SLOT_MASK)
        {
            throw new IllegalArgumentException("remote worker capacity too large: " + capacity);
        }
        this.index = index;
        this.queue = queue;
        this.completions = completions;
        this.link = (WorkerLink<Object, Object>)link;
        this.faults = faults;
        this.counters = counters;
        this.onLost = onLost;
        this.roleName = "fulcrum-worker-" + index + "-remote";
        inFlight = new Job[capacity];
        ids = new long[capacity];
        free = new int[capacity];
        lossOrder = new long[capacity];
        for (int s = 0; s < capacity; s++)
        {
            free[s] = capacity - 1 - s;
        }
        freeCount = capacity;
    }

    @Override
    public int doWork()
    {
        if (lost)
        {
            return handBackRevoked();
        }
        enterUserCode();
        int work = 0;
        try
        {
            if (!started)
            {
                started = true;
                link.onStart();
            }
            if (!link.isAlive(System.nanoTime()))
            {
                leaveUserCode();
                lose(null);
                return 1;
            }
            work += link.poll(this);
            work += send();
        }
        catch (final Throwable t)
        {
            leaveUserCode();
            lose(t);
            return 1;
        }
        leaveUserCode();
        return work;
    }

    private int send()
    {
        int work = 0;
        if (null != unsent)
        {
            if (!trySend(unsentSlot))
            {
                return 0;
            }
            unsent = null;
            work++;
        }
        Job job;
        while (freeCount > 0 && null != (job = queue.poll()))
        {
            work++;
            if (!job.claim())
            {
                handBack(job); // revoked while queued: moved on or answered by a deadline close
                continue;
            }
            final int slot = free[--freeCount];
            inFlight[slot] = job;
            ids[slot] = (++sequence << SLOT_BITS) | slot;
            unsent = job; // until the link takes it: a send that throws leaves it unsent, so it moves at the loss
            unsentSlot = slot;
            if (!trySend(slot))
            {
                break;
            }
            unsent = null;
        }
        return work;
    }

    private boolean trySend(final int slot)
    {
        return WorkerLink.SENT == link.send(ids[slot], inFlight[slot].request);
    }

    @Override
    public void onResult(final long id, final Object result)
    {
        final Job job = answered(id);
        if (null != job)
        {
            reply(job, result, null);
        }
    }

    @Override
    public void onError(final long id, final Throwable error)
    {
        final Job job = answered(id);
        if (null != job)
        {
            reply(job, null, null == error ? new IllegalStateException("remote worker failed: no reason given") : error);
        }
    }

    /**
     * @return the job {@code id} names, its slot freed, when it is in flight and this worker may still reply to
     * it; null otherwise (unknown, late, or abandoned by a deadline close).
     */
    private Job answered(final long id)
    {
        final int slot = (int)(id & SLOT_MASK);
        if (slot >= ids.length || 0 == id || ids[slot] != id || (null != unsent && slot == unsentSlot))
        {
            unknownReplies++; // single writer: this thread
            return null;
        }
        final Job job = release(slot);
        return job.finish() ? job : null;
    }

    private Job release(final int slot)
    {
        final Job job = inFlight[slot];
        inFlight[slot] = null;
        ids[slot] = 0;
        free[freeCount++] = slot;
        return job;
    }

    private void reply(final Job job, final Object result, final Throwable error)
    {
        final Throwable replyFailure = job.answer(result, error);
        if (null != replyFailure)
        {
            counters.worker(index, Counters.REPLY_ERRORS, ++replyErrors);
            faults.report(replyFailure);
        }
        if (null != error)
        {
            counters.worker(index, Counters.FAILED, ++failed);
        }
        counters.worker(index, Counters.COMPLETED, ++completed);
        handBack(job);
    }

    private void lose(final Throwable cause)
    {
        lost = true;
        final String message = roleName + " lost: link " + link.name() +
            (null == cause ? " stopped answering (not alive)" : " failed");
        faults.report(null == cause ? new WorkerLostException(message) : new WorkerLostException(message, cause));
        closeLink();

        if (null != unsent)
        {
            final Job job = unsent;
            unsent = null;
            release(unsentSlot);
            if (job.unclaim())
            {
                unclaimed = job; // never sent: it moves as a queued job does, once the balancer revokes it
            }
        }
        onLost.run();

        int n = 0;
        for (int s = 0; s < ids.length; s++)
        {
            if (0 != ids[s])
            {
                lossOrder[n++] = ids[s];
            }
        }
        Arrays.sort(lossOrder, 0, n); // ids grow with each send: answer in the order sent, which keeps a key's order
        for (int i = 0; i < n; i++)
        {
            final Job job = release((int)(lossOrder[i] & SLOT_MASK));
            if (!job.finish())
            {
                continue; // a deadline close abandoned it and answered it
            }
            if (!job.keyed && safeToRunTwice(job))
            {
                job.retry = true;
                handBack(job);
            }
            else
            {
                reply(job, null, new WorkerLostException(roleName + " (" + link.name() + ") was lost while this " +
                    "request was in flight on it: it may or may not have run there"));
            }
        }
        handBackRevoked();
    }

    private boolean safeToRunTwice(final Job job)
    {
        try
        {
            return link.safeToRunTwice(job.request);
        }
        catch (final Throwable t)
        {
            faults.report(t);
            return false;
        }
    }

    /**
     * After loss: hand back what the balancer's mover has revoked; a job still queued waits for it.
     */
    private int handBackRevoked()
    {
        int work = 0;
        if (null != unclaimed && Job.REVOKED == unclaimed.state())
        {
            handBack(unclaimed);
            unclaimed = null;
            work++;
        }
        Job head;
        while (null != (head = queue.peek()) && Job.QUEUED != head.state())
        {
            queue.poll();
            handBack(head);
            work++;
        }
        return work;
    }

    private void handBack(final Job job)
    {
        while (!completions.offer(job))
        {
            Thread.onSpinWait(); // capacity covers all the worker holds: cannot stay full
        }
    }

    private void closeLink()
    {
        if (!linkClosed)
        {
            linkClosed = true;
            try
            {
                link.close();
            }
            catch (final Throwable t)
            {
                faults.report(t);
            }
        }
    }

    @Override
    public void onClose()
    {
        closeLink();
    }

    private void enterUserCode()
    {
        counters.worker(index, Counters.ACTIVITY, ++activity);
    }

    private void leaveUserCode()
    {
        counters.worker(index, Counters.ACTIVITY, ++activity);
        if (Thread.interrupted() && !engineStopping)
        {
            interruptCleared();
        }
    }

    void interruptCleared()
    {
        counters.worker(index, Counters.INTERRUPTS_CLEARED, ++interruptsCleared);
        faults.interruptLeftSet(roleName);
    }

    void engineStopping()
    {
        engineStopping = true;
    }

    /**
     * @return replies whose id named no request in flight (any thread; tests and stats).
     */
    long unknownReplies()
    {
        return unknownReplies;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
