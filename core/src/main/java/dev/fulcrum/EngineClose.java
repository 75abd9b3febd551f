package dev.fulcrum;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How an {@link Engine} stops: a close that drains (for ever or until a deadline), and, past the deadline or at
 * {@code closeNow()}, the answers to what is left ({@link DeadlineAnswers}) and the interrupts. Any number of threads
 * may close at once: each drives what no engine thread drives (the balancer's cycle in INVOKER mode, hand-stepped
 * agents in tests) until the engine drained, and one of them, under the termination lock, stops it.
 */
final class EngineClose
{
    private static final System.Logger LOG = System.getLogger(Balancer.class.getName());

    private final Engine engine;
    private final ReentrantLock terminationLock = new ReentrantLock();
    private volatile boolean terminated;
    private volatile boolean outcome;
    /** What the deadline close answered (for its Flight Recorder event); written under the termination lock. */
    private volatile long answeredClosedBeforeRun;
    private volatile long answeredAbandoned;

    EngineClose(final Engine engine)
    {
        this.engine = engine;
    }

    /**
     * Wait up to {@code timeoutNs} for everything accepted before {@code target} to be replied to; then stop the
     * threads. Past the deadline, answer whatever is left ({@link DeadlineAnswers}), interrupt the threads, and
     * return without waiting for any that is still in user code.
     *
     * @param target    highest sequence accepted before close.
     * @param timeoutNs how long to wait; {@link Ingress#WAIT_FOREVER} for ever.
     * @return true when everything drained in time.
     */
    boolean close(final long target, final long timeoutNs)
    {
        final CloseEvent event = JfrEvents.closeStarted();
        final boolean drained = closeAndWait(target, timeoutNs);
        JfrEvents.closed(event, Ingress.WAIT_FOREVER == timeoutNs ? "close()" : "close(Duration)", timeoutNs, drained,
            answeredClosedBeforeRun, answeredAbandoned, 0);
        return drained;
    }

    private boolean closeAndWait(final long target, final long timeoutNs)
    {
        engine.refuseOnEngineThread();
        final boolean forever = Ingress.WAIT_FOREVER == timeoutNs;
        final long deadline = forever ? 0 : System.nanoTime() + timeoutNs;
        engine.balancerAgent.drainTo(target);

        boolean interrupted = false;
        int idle = 0;
        final Outbox outbox = new Outbox(64); // this closer's own: several may drive at once
        while (!engine.balancerAgent.isDrained() && !terminated)
        {
            final int work = drive(outbox);
            if (!forever && System.nanoTime() - deadline >= 0)
            {
                break;
            }
            if (Thread.interrupted())
            {
                interrupted = true; // a close keeps going; the flag is restored on the way out
            }
            idle = work > 0 ? 0 : Ingress.backoff(idle);
        }

        try
        {
            final long remainingNs = forever ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
            if (!terminationLock.tryLock(remainingNs, TimeUnit.NANOSECONDS))
            {
                return engine.balancerAgent.isDrained();
            }
        }
        catch (final InterruptedException ex)
        {
            interrupted = true;
            return engine.balancerAgent.isDrained();
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            if (!terminated)
            {
                engine.pool.close();
                outcome = engine.balancerAgent.isDrained() ? stopDrained(forever, deadline) : stopAtDeadline(target);
                terminated = true;
                closeCounters();
                engine.pool.terminated();
            }
            return outcome;
        }
        finally
        {
            terminationLock.unlock();
        }
    }

    /**
     * The closer's share of the work where no engine thread does it: the balancer's cycle in INVOKER mode (through
     * the baton, so it is safe from any thread) and hand-stepped workers in tests.
     */
    private int drive(final Outbox outbox)
    {
        int work = 0;
        if (engine.invokers.stepsBalancer())
        {
            work += engine.balancerAgent.cycle(outbox);
            outbox.deliver(engine.faults);
        }
        return work + engine.invokers.stepWorkersAndWatchdog();
    }

    private boolean stopDrained(final boolean forever, final long deadline)
    {
        engine.runners.stopAll();
        boolean interrupted = false;
        for (final EngineRunner runner : engine.runners.all())
        {
            try
            {
                runner.join(forever ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime()));
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        engine.invokers.closeAll();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private boolean stopAtDeadline(final long target)
    {
        engine.balancerAgent.seize();
        final DeadlineAnswers answers = new DeadlineAnswers(engine.faults, null);
        answers.answerAll(engine.balancerAgent, target, engine.workerAgents);
        answeredClosedBeforeRun = answers.closedBeforeRun();
        answeredAbandoned = answers.abandoned();
        stopAndInterrupt();
        engine.invokers.closeAll();
        LOG.log(System.Logger.Level.WARNING, "fulcrum: close deadline passed; answered " +
            answers.closedBeforeRun() + " requests with ClosedBeforeRunException and " + answers.abandoned() +
            " with AbandonedByCloseException; threads still in user code were interrupted and are not waited for");
        return false;
    }

    /**
     * Stop now: refuse new work (the caller closed the ingress), take back every request that has not started, and
     * interrupt those running (they finish and reply; the threads end after them).
     *
     * @param target highest sequence accepted before close.
     * @return the requests that had not started, in no promised order; empty when the engine had stopped already.
     */
    List<Object> closeNow(final long target)
    {
        engine.refuseOnEngineThread();
        final CloseEvent event = JfrEvents.closeStarted();
        final List<Object> takenBack = takeBack(target);
        JfrEvents.closed(event, "closeNow()", 0, false, 0, 0, takenBack.size());
        return takenBack;
    }

    private List<Object> takeBack(final long target)
    {
        engine.balancerAgent.drainTo(target);
        terminationLock.lock();
        try
        {
            final List<Object> takenBack = new java.util.ArrayList<>();
            if (!terminated)
            {
                engine.pool.close();
                engine.balancerAgent.seize();
                new DeadlineAnswers(engine.faults, takenBack).answerAll(engine.balancerAgent, target, engine.workerAgents);
                stopAndInterrupt();
                engine.invokers.closeAll();
                outcome = false;
                terminated = true;
                closeCounters();
                engine.pool.terminated();
            }
            return takenBack;
        }
        finally
        {
            terminationLock.unlock();
        }
    }

    private void stopAndInterrupt()
    {
        engine.engineStopping();
        engine.runners.stopAll();
        engine.runners.interruptAll();
    }

    /**
     * Closing thread, once the engine has stopped: log what is still queued and sample a last time when the
     * engine.sampler's thread has ended (its end happens-before this thread sees it ended, so this thread may write in its
     * place), then mark the engine.counters closed. A engine.sampler thread still running (a deadline close does not wait for it)
     * keeps its engine.counters.
     */
    private void closeCounters()
    {
        final Thread host = null == engine.samplerRunner ? null : engine.samplerRunner.thread();
        if (null == host || !host.isAlive())
        {
            engine.sampler.doWork();
        }
        engine.counters.close();
    }

    boolean isTerminated()
    {
        return terminated;
    }
}
