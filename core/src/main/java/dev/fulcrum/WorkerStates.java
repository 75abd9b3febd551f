package dev.fulcrum;

import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import java.util.concurrent.CompletableFuture;

/**
 * Each worker slot's lifecycle as the balancer owns it, and the commands and notices that change it, applied at the
 * top of a duty cycle by the baton holder (Agrona's {@code DynamicCompositeAgent} posts additions the same way):
 * <pre>
 *            add                  stall notice             leave
 *   GONE ----------&gt; RUNNING &lt;------------------&gt; STALLED   (either) ------&gt; LEAVING --(holds nothing)--&gt; GONE
 *                              recovery notice
 * </pre>
 * Only a RUNNING worker that is not stalled is chosen (the dispatcher's offline flag says the same). A LEAVING
 * worker's queued work moves away as a stalled worker's does; what runs there finishes there, and a key with a
 * request running there follows when that request is done. Once a leaving worker holds nothing it is GONE: its
 * thread is asked to stop and the removal's future completes (off the balancer thread).
 */
final class WorkerStates
{
    static final int GONE = 0;
    static final int RUNNING = 1;
    static final int LEAVING = 2;

    /** A request to change the pool, posted by any thread. */
    static final class Command
    {
        final int worker;
        final boolean add;
        final CompletableFuture<Void> removed;

        Command(final int worker, final boolean add, final CompletableFuture<Void> removed)
        {
            this.worker = worker;
            this.add = add;
            this.removed = removed;
        }
    }

    /** Told on the baton holder's thread when a leaving worker holds nothing any more. */
    interface GoneListener
    {
        void gone(int worker, CompletableFuture<Void> removed);
    }

    private final BalancerAgent balancer;
    private final MpscVarHandleArrayQueue<Command> commands;
    private final int[] lifecycle;
    private final boolean[] stalled;
    private final CompletableFuture<?>[] removals;
    private GoneListener goneListener = (w, f) -> f.complete(null);

    WorkerStates(final BalancerAgent balancer, final int maxWorkers, final int workers)
    {
        this.balancer = balancer;
        commands = new MpscVarHandleArrayQueue<>(Math.max(2, 2 * maxWorkers));
        lifecycle = new int[maxWorkers];
        stalled = new boolean[maxWorkers];
        removals = new CompletableFuture<?>[maxWorkers];
        for (int w = 0; w < maxWorkers; w++)
        {
            lifecycle[w] = w < workers ? RUNNING : GONE;
            balancer.counters.balancerView(w, Counters.WORKER_STATE, lifecycle[w]);
        }
    }

    void goneListener(final GoneListener listener)
    {
        this.goneListener = listener;
    }

    /**
     * Any thread.
     *
     * @return false when the command queue is full (it holds two per slot, so only a misuse fills it).
     */
    boolean post(final Command command)
    {
        return commands.offer(command);
    }

    /**
     * Any thread: a hint for the idle look before the baton.
     */
    boolean mayHaveWork()
    {
        return !commands.isEmpty() || balancer.stallNotices.mayHaveNews();
    }

    boolean isAvailable(final int worker)
    {
        return RUNNING == lifecycle[worker] && !stalled[worker];
    }

    boolean isLeaving(final int worker)
    {
        return LEAVING == lifecycle[worker];
    }

    /**
     * Baton holder, at the top of a duty cycle.
     *
     * @return changes applied.
     */
    int apply()
    {
        int work = 0;
        Command command;
        while (null != (command = commands.poll()))
        {
            work++;
            final int w = command.worker;
            if (command.add)
            {
                lifecycle[w] = RUNNING;
                stalled[w] = false;
                balancer.counters.balancerView(w, Counters.WORKER_STATE, RUNNING);
                availability(w);
            }
            else
            {
                lifecycle[w] = LEAVING;
                removals[w] = command.removed;
                balancer.counters.balancerView(w, Counters.WORKER_STATE, LEAVING);
                availability(w);
                balancer.moveQueued(w);
                leaveIfEmpty(w);
            }
        }
        if (balancer.stallNotices.hasNews())
        {
            work += applyStallNotices();
        }
        return work;
    }

    private int applyStallNotices()
    {
        int work = 0;
        final Counters counters = balancer.counters;
        for (int w = 0; w < lifecycle.length; w++)
        {
            final long notice = balancer.stallNotices.take(w);
            if (StallNotices.NONE == notice)
            {
                continue;
            }
            work++;
            if (StallNotices.RECOVERED == notice)
            {
                if (stalled[w])
                {
                    stalled[w] = false;
                    counters.balancerView(w, Counters.WORKER_STALLED, 0);
                    availability(w);
                    balancer.releaseParked(w);
                    if (isAvailable(w))
                    {
                        moveFromUnavailable(w);
                    }
                }
            }
            else if (counters.worker(w, Counters.ACTIVITY) == notice && !stalled[w] && GONE != lifecycle[w])
            {
                // still in the same user code the watchdog saw: take the worker out and move what has not started
                stalled[w] = true;
                counters.balancerView(w, Counters.WORKER_STALLED, 1);
                counters.balancerView(w, Counters.WORKER_STALLS, counters.balancerView(w, Counters.WORKER_STALLS) + 1);
                counters.balancer(Counters.STALLS, counters.balancer(Counters.STALLS) + 1);
                availability(w);
                balancer.moveQueued(w);
            }
        }
        return work;
    }

    /**
     * A worker came back while others are still stalled or leaving: what they hold and have not started may have
     * had nowhere to go when they were taken out (every worker was out then), so move it now.
     */
    private void moveFromUnavailable(final int back)
    {
        for (int w = 0; w < lifecycle.length; w++)
        {
            if (w != back && GONE != lifecycle[w] && !isAvailable(w))
            {
                balancer.moveQueued(w);
                if (LEAVING == lifecycle[w])
                {
                    leaveIfEmpty(w);
                }
            }
        }
    }

    /**
     * Baton holder, after the worker handed a job back.
     */
    void completedOn(final int worker)
    {
        if (LEAVING == lifecycle[worker])
        {
            // a key that had a request running here may follow its other work now
            balancer.moveQueued(worker);
            leaveIfEmpty(worker);
        }
    }

    @SuppressWarnings("unchecked")
    private void leaveIfEmpty(final int worker)
    {
        if (balancer.holdsNothing(worker))
        {
            lifecycle[worker] = GONE;
            stalled[worker] = false;
            balancer.counters.balancerView(worker, Counters.WORKER_STATE, GONE);
            balancer.counters.balancerView(worker, Counters.WORKER_STALLED, 0);
            final CompletableFuture<Void> removed = (CompletableFuture<Void>)removals[worker];
            removals[worker] = null;
            goneListener.gone(worker, removed);
        }
    }

    private void availability(final int worker)
    {
        balancer.dispatcher.offline(worker, !isAvailable(worker));
    }
}
