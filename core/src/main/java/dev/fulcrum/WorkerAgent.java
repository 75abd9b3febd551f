package dev.fulcrum;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

/**
 * One worker: drains its own SPSC queue in batches, runs each job's task, calls its reply, and hands the job back to
 * the balancer over the shared MPSC completion queue. Nothing user code throws escapes {@link #accept(Job)}.
 */
final class WorkerAgent implements Agent, MessagePassingQueue.Consumer<Job>
{
    private final int index;
    private final SpscVarHandleArrayQueue<Job> queue;
    private final MpscVarHandleArrayQueue<Job> completions;
    private final Task<Object, Object> task;
    private final ErrorHandler errorHandler;
    private final Counters counters;
    private final int batchLimit;
    private final String roleName;

    private long completed;
    private long failed;
    private long replyErrors;

    WorkerAgent(
        final int index,
        final SpscVarHandleArrayQueue<Job> queue,
        final MpscVarHandleArrayQueue<Job> completions,
        final Task<Object, Object> task,
        final ErrorHandler errorHandler,
        final Counters counters,
        final int batchLimit)
    {
        this.index = index;
        this.queue = queue;
        this.completions = completions;
        this.task = task;
        this.errorHandler = errorHandler;
        this.counters = counters;
        this.batchLimit = batchLimit;
        this.roleName = "fulcrum-worker-" + index;
    }

    @Override
    public int doWork()
    {
        final int ran = queue.drain(this, batchLimit);
        if (ran > 0)
        {
            try
            {
                task.onEndOfBatch();
            }
            catch (final Throwable t)
            {
                counters.worker(index, Counters.REPLY_ERRORS, ++replyErrors);
                report(t);
            }
        }
        return ran;
    }

    @Override
    public void accept(final Job job)
    {
        Object result = null;
        Throwable error = null;
        try
        {
            result = task.execute(job.request);
        }
        catch (final Throwable t)
        {
            error = t;
        }

        try
        {
            if (null == error)
            {
                job.reply.onResult(job.request, result);
            }
            else
            {
                job.reply.onError(job.request, error);
            }
        }
        catch (final Throwable t)
        {
            counters.worker(index, Counters.REPLY_ERRORS, ++replyErrors);
            report(t);
        }

        if (null != error)
        {
            counters.worker(index, Counters.FAILED, ++failed);
        }
        counters.worker(index, Counters.COMPLETED, ++completed);

        // Capacity covers every job in the pool, so this cannot fail; the release in offer pairs with the
        // balancer's acquire in drain, which publishes the counters above before the pending count drops.
        while (!completions.offer(job))
        {
            Thread.onSpinWait();
        }
    }

    private void report(final Throwable t)
    {
        try
        {
            errorHandler.onError(t);
        }
        catch (final Throwable ignore)
        {
            // an error handler that throws has nowhere left to report to; the worker must go on
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
