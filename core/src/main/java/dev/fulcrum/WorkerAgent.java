package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

/**
 * One worker: drains its own SPSC queue in batches; for each job, claims it (a revoked job is skipped and handed
 * straight back), runs its task, takes the right to reply, replies, and hands the job back to the balancer over the
 * worker's own SPSC completion queue. Nothing user code does escapes {@link #accept(Job)}: a throw is caught and
 * reported, and an interrupt flag user code left set is cleared and reported once (see {@link EngineFaults}).
 * <p>
 * Around each task and its reply the worker bumps its activity count ({@link Counters#ACTIVITY}: odd while in user
 * code, even otherwise, one release store each), which is all the stall detector needs: it watches for an odd
 * count that stays the same. With adaptive binding on, the worker reads the clock before and after one task in
 * {@link AdaptiveBinding#SAMPLE_EVERY} (its time per task sets the balancer's cap), not for a task SHARED mode hands
 * it directly. No other clock is read on the worker's path, unless latency histograms are on and the job was
 * stamped at submit (every job, or one in {@link BalancerBuilder#latencySampling(int)}): then the
 * worker stamps the start and end of each task and records, after the reply, into its {@link LatencyRecorder}.
 */
final class WorkerAgent implements Agent, MessagePassingQueue.Consumer<Job>
{
    private final int index;
    private final SpscVarHandleArrayQueue<Job> queue;
    private final SpscVarHandleArrayQueue<Job> completions;
    private final Task<Object, Object> task;
    private final EngineFaults faults;
    private final Counters counters;
    private final int batchLimit;
    private final String roleName;
    /** False for a task that keeps {@link Task#onEndOfBatch()}'s empty default: the call and its bookkeeping skipped. */
    private final boolean endOfBatch;
    /** This worker's latency histograms; null when they are off (then no clock is read). */
    private final LatencyRecorder latency;
    /** This worker's side of adaptive binding; null when binding is fixed (then no batch is timed). */
    private final AdaptiveBinding.Sampler binding;

    private long activity;
    private long completed;
    private long failed;
    private long replyErrors;
    private long interruptsCleared;
    /** Generation of the job the engine itself interrupted (a deadline close); its interrupt is not user error. */
    private volatile long engineInterruptGeneration = -1;
    /** Set before the engine interrupts every thread to stop (a deadline close, closeNow). */
    private volatile boolean engineStopping;

    WorkerAgent(
        final int index,
        final SpscVarHandleArrayQueue<Job> queue,
        final SpscVarHandleArrayQueue<Job> completions,
        final Task<Object, Object> task,
        final EngineFaults faults,
        final Counters counters,
        final int batchLimit,
        final LatencyRecorder latency,
        final AdaptiveBinding.Sampler binding)
    {
        this.index = index;
        this.queue = queue;
        this.completions = completions;
        this.task = task;
        this.faults = faults;
        this.counters = counters;
        this.batchLimit = batchLimit;
        this.roleName = "fulcrum-worker-" + index;
        this.endOfBatch = overridesEndOfBatch(task);
        this.latency = latency;
        this.binding = binding;
    }

    private static boolean overridesEndOfBatch(final Task<?, ?> task)
    {
        try
        {
            return Task.class != task.getClass().getMethod("onEndOfBatch").getDeclaringClass();
        }
        catch (final NoSuchMethodException | SecurityException ex)
        {
            return true; // cannot tell: call it
        }
    }

    @Override
    public int doWork()
    {
        final int ran = queue.drain(this, batchLimit);
        if (ran > 0)
        {
            endOfBatch();
        }
        return ran;
    }

    private void endOfBatch()
    {
        if (endOfBatch)
        {
            enterUserCode();
            try
            {
                task.onEndOfBatch();
            }
            catch (final Throwable t)
            {
                counters.worker(index, Counters.REPLY_ERRORS, ++replyErrors);
                faults.report(t);
            }
            leaveUserCode(-1);
        }
    }

    /**
     * SHARED mode, worker 0, on the balancer's own thread: run a job the balancer handed over without a queue,
     * already claimed ({@link BalancerAgent#takeDirect()}). A batch of one unless more is queued behind it, in which
     * case the {@link #doWork()} that follows ends the batch.
     *
     * @return the job, run and replied to, for the same thread to give straight back to the balancer (it passes no
     * completion queue either: {@link BalancerAgent#completedDirect(Job)}); null when a deadline close abandoned it.
     */
    Job runDirect(final Job job)
    {
        final boolean ran = run(job);
        if (queue.isEmpty())
        {
            endOfBatch();
        }
        return ran ? job : null;
    }

    /**
     * @return true when the worker has something queued, so that {@link #doWork()} would run user code.
     */
    boolean hasQueued()
    {
        return !queue.isEmpty();
    }

    @Override
    public void accept(final Job job)
    {
        if (!job.claim())
        {
            // revoked while queued (moved off this worker, or answered by a deadline close): not ours to run
            handBack(job);
            return;
        }
        // adaptive binding times one task in AdaptiveBinding.SAMPLE_EVERY, counted per task (a batch can last as
        // long as the queue stays full), from here so that user code's stack is the same for timed and untimed tasks
        final boolean timed = null != binding && binding.timeThis();
        final long startNs = timed ? binding.nowNs() : 0;
        if (run(job))
        {
            if (timed)
            {
                binding.timed(binding.nowNs() - startNs);
            }
            handBack(job);
        }
    }

    /**
     * @return true when the job is to go back to the balancer; false when a deadline close abandoned it (its engine
     * is gone: it goes nowhere).
     */
    private boolean run(final Job job)
    {
        enterUserCode();
        Object result = null;
        Throwable error = null;
        final boolean sampled = null != latency && 0 != job.submitNs; // 0: not stamped (sampling, or histograms off)
        final long startNs = sampled ? System.nanoTime() : 0;
        try
        {
            result = task.execute(job.request);
        }
        catch (final Throwable t)
        {
            error = t;
        }
        final long endNs = sampled ? System.nanoTime() : 0;

        if (!job.finish())
        {
            // a deadline close abandoned the job and answered it; the engine is gone, so drop the late result
            leaveUserCode(job.generation);
            return false;
        }

        final Throwable replyFailure = job.answer(result, error);
        if (null != replyFailure)
        {
            counters.worker(index, Counters.REPLY_ERRORS, ++replyErrors);
            faults.report(replyFailure);
        }
        leaveUserCode(job.generation);
        if (sampled)
        {
            latency.record(job.submitNs, startNs, endNs); // after the reply: the requester does not wait for it
        }

        if (null != error)
        {
            counters.worker(index, Counters.FAILED, ++failed);
        }
        counters.worker(index, Counters.COMPLETED, ++completed);
        return true;
    }

    private void handBack(final Job job)
    {
        // Capacity covers every job in the pool, so this cannot fail; the release in offer pairs with the
        // balancer's acquire in drain, which publishes the counters above before the pending count drops.
        while (!completions.offer(job))
        {
            Thread.onSpinWait();
        }
    }

    private void enterUserCode()
    {
        counters.worker(index, Counters.ACTIVITY, ++activity);
    }

    /**
     * @param generation of the job whose user code just returned, or -1 for none.
     */
    private void leaveUserCode(final long generation)
    {
        counters.worker(index, Counters.ACTIVITY, ++activity);
        if (Thread.interrupted())
        {
            if ((generation < 0 || generation != engineInterruptGeneration) && !engineStopping)
            {
                interruptCleared();
            }
        }
    }

    /**
     * The runner found the flag set between duty cycles (someone interrupted an idle worker).
     */
    void interruptCleared()
    {
        counters.worker(index, Counters.INTERRUPTS_CLEARED, ++interruptsCleared);
        faults.interruptLeftSet(roleName);
    }

    /**
     * Closer: the interrupt about to be sent to this worker's thread is aimed at {@code job}.
     */
    void engineInterrupts(final Job job)
    {
        engineInterruptGeneration = job.generation;
    }

    void engineStopping()
    {
        engineStopping = true;
    }

    int index()
    {
        return index;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
