package dev.fulcrum;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The callers' side of an elastic pool: which worker slots are free, running or leaving, as seen by
 * {@link Balancer#addWorker()} and {@link Balancer#removeWorker(int)}, under one lock (never taken on the hot path).
 * Adding starts the slot's thread on the caller's thread, then posts the worker to the balancer, which puts it in
 * rotation at the top of its next duty cycle; removing posts the request, and the balancer takes it from there
 * ({@link WorkerStates}). When a leaving worker holds nothing the balancer asks its thread to stop, and a task in
 * the common pool waits for the thread to end, frees the slot and completes the removal's future, so that the
 * future's dependents never run on an engine thread.
 */
final class WorkerPool
{
    private final Engine engine;
    private final EngineSettings settings;
    private final int[] slots;
    private final long[] generations;
    private final List<CompletableFuture<Void>> removals = new ArrayList<>();
    private final AtomicBoolean pinningReported = new AtomicBoolean();
    private int running;
    private boolean closed;

    WorkerPool(final Engine engine, final EngineSettings settings, final int workers)
    {
        this.engine = engine;
        this.settings = settings;
        slots = new int[settings.maxWorkers];
        generations = new long[slots.length];
        for (int w = 0; w < workers; w++)
        {
            slots[w] = WorkerStates.RUNNING;
            generations[w] = 1;
        }
        running = workers;
    }

    /**
     * @param link the remote worker's transport, or null for a local worker running the builder's task.
     */
    synchronized int add(final WorkerLink<?, ?> link)
    {
        if (closed)
        {
            throw new IllegalStateException("balancer is closed: no worker added");
        }
        int w = 0;
        while (w < slots.length && WorkerStates.GONE != slots[w])
        {
            w++;
        }
        if (w == slots.length)
        {
            throw new IllegalStateException("the pool is at its capacity: workers=" + running + ", maxWorkers=" +
                slots.length + " (a leaving worker's slot is free once its removal completes)");
        }
        if (null != engine.latency)
        {
            engine.latency.reset(w); // a reused slot: nothing of its previous worker's shows as the new one's
        }
        if (null != link)
        {
            final int slot = w;
            engine.startRemoteWorker(settings, slot, link, () -> lost(slot));
        }
        else
        {
            engine.useLocalAgent(w);
            if (!settings.manualWorkers)
            {
                engine.startWorker(settings, w, -1, pinningReported);
            }
        }
        if (!settings.manualWorkers)
        {
            engine.workerRunners[w].awaitStarted(TimeUnit.SECONDS.toNanos(10)); // in rotation, it is ready to run
        }
        if (!engine.balancerAgent.workerStates.post(new WorkerStates.Command(w, true, null)))
        {
            throw new IllegalStateException("too many pool changes waiting for the balancer: worker=" + w);
        }
        slots[w] = WorkerStates.RUNNING;
        generations[w]++;
        running++;
        return w;
    }

    synchronized CompletableFuture<Void> remove(final int worker)
    {
        if (worker < 0 || worker >= slots.length)
        {
            throw new IllegalArgumentException(
                "worker must be 0 to " + (slots.length - 1) + " (maxWorkers=" + slots.length + "): worker=" + worker);
        }
        if (closed)
        {
            throw new IllegalStateException("balancer is closed: its workers stop with it");
        }
        if (WorkerStates.RUNNING != slots[worker])
        {
            throw new IllegalStateException("worker is not running: worker=" + worker + ", state=" +
                (WorkerStates.LEAVING == slots[worker] ? "LEAVING" : "GONE"));
        }
        if (ThreadingMode.SHARED == engine.threadingMode() && 0 == worker)
        {
            throw new IllegalStateException(
                "worker 0 runs the balancer in SHARED mode and cannot be removed: worker=" + worker);
        }
        if (1 == running)
        {
            throw new IllegalStateException(
                "the last worker cannot be removed while the balancer accepts requests: worker=" + worker);
        }
        return leave(worker);
    }

    /**
     * A remote worker's thread: its link is lost. The worker leaves as a removed one does (the last one too: a
     * worker that is gone cannot be kept); nothing waits for the removal. Nothing to do when it is leaving already
     * or the balancer has stopped.
     */
    synchronized void lost(final int worker)
    {
        if (closed || WorkerStates.RUNNING != slots[worker])
        {
            return;
        }
        leave(worker);
    }

    /**
     * Under the lock: post the worker's leaving to the balancer and mark its slot.
     *
     * @return completed once the worker is gone.
     */
    private CompletableFuture<Void> leave(final int worker)
    {
        final CompletableFuture<Void> removed = new CompletableFuture<>();
        if (!engine.balancerAgent.workerStates.post(new WorkerStates.Command(worker, false, removed)))
        {
            throw new IllegalStateException("too many pool changes waiting for the balancer: worker=" + worker);
        }
        slots[worker] = WorkerStates.LEAVING;
        running--;
        removals.add(removed);
        return removed;
    }

    /**
     * Baton holder: the worker holds nothing. Asks its thread to stop; the rest happens off the engine's threads.
     */
    void gone(final int worker, final CompletableFuture<Void> removed)
    {
        final EngineRunner runner = engine.workerRunners[worker];
        if (null != runner)
        {
            runner.stop();
        }
        engine.slotGone(worker);
        ForkJoinPool.commonPool().execute(() ->
        {
            boolean ended = true;
            try
            {
                ended = null == runner || runner.join(TimeUnit.SECONDS.toNanos(60));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (ended && null != runner)
            {
                engine.runnerEnded(runner); // a pool resized for as long as it runs keeps no ended thread
            }
            synchronized (this)
            {
                if (ended)
                {
                    slots[worker] = WorkerStates.GONE;
                }
                removals.remove(removed);
            }
            if (ended)
            {
                removed.complete(null);
            }
            else
            {
                // it holds no work, but its thread is still in user code (an end-of-batch hook that blocks): the
                // slot stays LEAVING, not reusable, and the caller is told
                removed.completeExceptionally(new IllegalStateException("worker " + worker + " holds no work but " +
                    "its thread has not ended within 60 s; its slot is not reused"));
            }
        });
    }

    synchronized int running()
    {
        return running;
    }

    synchronized long generation(final int worker)
    {
        return generations[worker];
    }

    int maxWorkers()
    {
        return slots.length;
    }

    /**
     * The balancer is closing: no more changes.
     */
    synchronized void close()
    {
        closed = true;
    }

    /**
     * The engine has stopped: every worker that was leaving has gone with it.
     */
    void terminated()
    {
        final List<CompletableFuture<Void>> left;
        synchronized (this)
        {
            left = new ArrayList<>(removals);
            removals.clear();
        }
        for (final CompletableFuture<Void> removed : left)
        {
            removed.complete(null);
        }
    }
}
