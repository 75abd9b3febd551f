package dev.fulcrum;

import com.lmax.disruptor.RingBuffer;

import java.util.List;

/**
 * What a close does when its deadline passes before the engine drained, or a {@code closeNow()} at once: with the
 * balancer's baton seized for good, answer (or, for {@code closeNow()}, take back) every accepted request that has
 * no reply yet, exactly once, on the closing thread. Taken back, a request that had not started is handed to the
 * caller instead of a reply, and one that runs is interrupted and left to finish and reply.
 * <ul>
 *     <li>In the ring (accepted, not yet taken), parked, held, or queued on a worker and revoked before it started:
 *     {@link ClosedBeforeRunException}.</li>
 *     <li>Running on a worker and abandoned before it finished: {@link AbandonedByCloseException}; the worker is told
 *     which job the engine's interrupt is aimed at, and its late result is dropped.</li>
 *     <li>Finished (its worker won the race to reply) or already handed back: nothing, its worker replies or has.</li>
 * </ul>
 * Jobs answered here never go back to the pool: the engine is ending.
 */
final class DeadlineAnswers
{
    private final EngineFaults faults;
    /** Where requests that had not started go instead of an answer ({@code closeNow()}), or null. */
    private final List<Object> takenBack;
    private int closedBeforeRun;
    private int abandoned;

    DeadlineAnswers(final EngineFaults faults, final List<Object> takenBack)
    {
        this.faults = faults;
        this.takenBack = takenBack;
    }

    /**
     * @param balancer whose baton the caller has seized.
     * @param target   highest sequence accepted before close.
     * @param workers  the worker agents, told of the jobs abandoned on them.
     * @return true when some job was abandoned while running (its thread should be interrupted).
     */
    boolean answerAll(final BalancerAgent balancer, final long target, final WorkerAgent[] workers)
    {
        for (final org.jctools.queues.MessagePassingQueue<Job> handedBack : balancer.completions)
        {
            handedBack.drain(job -> { }); // ran and replied: nothing left to answer for them
        }

        final RingBuffer<RequestEvent> ring = balancer.ring;
        for (long s = balancer.consumed.get() + 1; s <= target; s++)
        {
            // claimed before close, so published within a few instructions (no user code between claim and publish)
            while (!ring.isAvailable(s))
            {
                Thread.onSpinWait();
            }
            final RequestEvent event = ring.get(s);
            if (RequestEvent.CANCELLED != event.kind)
            {
                closedBeforeRun(event.request, event.reply);
            }
            event.clear();
        }
        if (target > balancer.consumed.get())
        {
            balancer.consumed.set(target);
        }

        final Job held = balancer.held;
        if (null != held)
        {
            balancer.held = null;
            closedBeforeRun(held.request, held.reply);
        }

        for (Job j = balancer.moved.head(); null != j; j = j.nextParked)
        {
            closedBeforeRun(j.request, j.reply);
        }
        final WorkerLanes lanes = balancer.lanes;
        boolean interrupt = false;
        for (int w = 0; w < lanes.workers(); w++)
        {
            for (Job j = lanes.unparkAll(w); null != j; j = j.nextParked)
            {
                closedBeforeRun(j.request, j.reply);
            }
            for (Job j = lanes.outstanding(w); null != j; j = j.nextOutstanding)
            {
                if (j.revoke())
                {
                    closedBeforeRun(j.request, j.reply);
                }
                else if (null != takenBack && Job.RUNNING == j.state())
                {
                    if (null != workers)
                    {
                        workers[w].engineInterrupts(j);
                    }
                    interrupt = true;
                }
                else if (null == takenBack && j.abandon())
                {
                    if (null != workers)
                    {
                        workers[w].engineInterrupts(j);
                    }
                    interrupt = true;
                    abandoned++;
                    answer(j.request, j.reply, new AbandonedByCloseException(
                        "balancer closed at its deadline while this request was running on fulcrum-worker-" + w +
                        "; its late result, if any, is dropped"));
                }
            }
        }
        return interrupt;
    }

    private void closedBeforeRun(final Object request, final Reply<Object, Object> reply)
    {
        closedBeforeRun++;
        if (null != takenBack)
        {
            takenBack.add(request);
            return;
        }
        answer(request, reply, new ClosedBeforeRunException(
            "balancer closed at its deadline before this request started: it never ran"));
    }

    private void answer(final Object request, final Reply<Object, Object> reply, final Throwable error)
    {
        try
        {
            reply.onError(request, error);
        }
        catch (final Throwable t)
        {
            faults.report(t);
        }
    }

    int closedBeforeRun()
    {
        return closedBeforeRun;
    }

    int abandoned()
    {
        return abandoned;
    }
}
