package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine behind a {@link Balancer}: its agents, the threads that run them in each {@link ThreadingMode}, and
 * how they stop. Built and started by {@link #Engine(BalancerBuilder, Ingress)}; a failure while starting stops what
 * did start.
 */
final class Engine
{
    private static final System.Logger LOG = System.getLogger(Balancer.class.getName());

    final BalancerAgent balancerAgent;
    final WorkerAgent[] workerAgents;
    /** The agent of each slot that holds a remote worker ({@link WorkerLink}), null where the worker is local. */
    private final RemoteWorkerAgent[] remoteAgents;
    final Counters counters;
    final EngineFaults faults;
    /** The latency histograms' interval reader and published figures; null when they are off. */
    final LatencyIntervals latency;
    private final ThreadingMode threadingMode;
    /**
     * Runners of the engine's threads, stopping ones included (a removed worker's leaves once its thread ended),
     * copied on write (rare: start, a worker added or gone) and read without a lock
     * or an iterator: {@link #isEngineThread(Thread)} runs on every submit that finds the ring full, allocation-free.
     */
    private volatile EngineRunner[] runners = new EngineRunner[0];
    private final Object runnersLock = new Object();
    final Thread[] workerThreads;
    final EngineRunner[] workerRunners;
    final WorkerPool pool;
    private final AgentInvoker balancerInvoker;
    /** Hand-stepped workers (tests): each slot's invoker, a remote worker's while the slot holds one. */
    private final AgentInvoker[] workerInvokers;
    private final AgentInvoker[] localInvokers;
    private final AgentInvoker watchdogInvoker;
    private final Watchdog watchdog;
    private final CountersSampler sampler;
    /** The runner whose thread samples the counters (the watchdog's or the sampler's own), or null. */
    private EngineRunner samplerRunner;
    private final ReentrantLock terminationLock = new ReentrantLock();
    private volatile boolean terminated;
    private volatile boolean outcome;
    private int spinningThreads;
    private volatile boolean workersSpin;
    /** What the deadline close answered (for its Flight Recorder event); written under the termination lock. */
    private volatile long answeredClosedBeforeRun;
    private volatile long answeredAbandoned;

    @SuppressWarnings({"unchecked", "rawtypes"}) // one generic array of worker queues
    Engine(final BalancerBuilder<?, ?> builder, final Ingress ingress)
    {
        final int workers = builder.workers();
        final int maxWorkers = builder.maxWorkers();
        threadingMode = builder.threadingMode();
        final java.nio.file.Path countersDirectory = builder.countersDirectory();
        // the error queue is drained by the sampler: on the watchdog's thread, or its own thread when there is a file
        counters = new Counters(countersDirectory, maxWorkers, workers, builder.policy().name(), threadingMode.name(),
            builder.stallThresholdNs() > 0 || null != countersDirectory);
        faults = new EngineFaults(builder.errorHandler(), counters.errorLog());
        final Dispatcher dispatcher = builder.policy().newDispatcher(maxWorkers, builder.maxPendingPerWorker());
        final int maxParked = builder.maxParked();
        final SpscVarHandleArrayQueue<Job>[] queues = new SpscVarHandleArrayQueue[maxWorkers];
        final SpscVarHandleArrayQueue<Job>[] completions = new SpscVarHandleArrayQueue[maxWorkers];
        latency = builder.latencyHistograms() ? new LatencyIntervals(maxWorkers, builder.latencyIntervalNs(),
            builder.jfrRequestSampling(), builder.clock(), counters) : null;
        workerAgents = new WorkerAgent[maxWorkers];
        remoteAgents = new RemoteWorkerAgent[maxWorkers];
        for (int w = 0; w < maxWorkers; w++)
        {
            queues[w] = new SpscVarHandleArrayQueue<>(builder.workerQueueCapacity());
            // a worker hands back at most what it holds: its pending count, which the queue's capacity bounds
            completions[w] = new SpscVarHandleArrayQueue<>(builder.workerQueueCapacity());
            workerAgents[w] = new WorkerAgent(w, queues[w], completions[w], (Task<Object, Object>)builder.task(), faults,
                counters, builder.workerQueueCapacity(), null == latency ? null : latency.recorder(w));
        }
        final com.lmax.disruptor.Sequence consumed = new com.lmax.disruptor.Sequence(-1);
        ingress.ring.addGatingSequences(consumed);
        sampler = new CountersSampler(counters, ingress, consumed, builder.clock());
        balancerAgent = new BalancerAgent(ingress.ring, consumed, completions, queues, dispatcher, counters, faults,
            maxParked, builder.maxParkedPerKey(), workers);
        pool = new WorkerPool(this, builder, workers);
        balancerAgent.workerStates.goneListener(pool::gone);

        workerThreads = builder.hasManualWorkers() ? null : new Thread[maxWorkers];
        workerRunners = new EngineRunner[maxWorkers];
        if (builder.hasManualWorkers())
        {
            workerInvokers = new AgentInvoker[maxWorkers];
            localInvokers = new AgentInvoker[maxWorkers];
            for (int w = 0; w < maxWorkers; w++)
            {
                localInvokers[w] = new AgentInvoker(faults::report, null, workerAgents[w]);
                localInvokers[w].start();
                workerInvokers[w] = localInvokers[w];
            }
        }
        else
        {
            workerInvokers = null;
            localInvokers = null;
        }
        balancerInvoker = ThreadingMode.INVOKER == threadingMode ?
            new AgentInvoker(faults::report, null, balancerAgent) : null;
        if (null != balancerInvoker)
        {
            balancerAgent.runsOnApplicationThread();
        }

        final long stallThresholdNs = builder.stallThresholdNs();
        watchdog = stallThresholdNs <= 0 ? null : new Watchdog(balancerAgent, counters, faults, builder.clock(),
            stallThresholdNs, host(threadingMode), workerThreads, latency, sampler);
        watchdogInvoker = null != watchdog && builder.hasManualWatchdog() ?
            new AgentInvoker(faults::report, null, watchdog) : null;

        try
        {
            start(builder);
        }
        catch (final RuntimeException | Error ex)
        {
            // a thread factory or idle strategy supplier failed: stop what did start, leave no thread behind
            stopAndInterrupt();
            counters.close();
            throw ex;
        }
        ingress.engineThreads(this::isEngineThread);

        final int cpuCount = Runtime.getRuntime().availableProcessors();
        if (spinningThreads > cpuCount)
        {
            final String warning =
                "fulcrum: " + spinningThreads + " busy-spinning threads on " + cpuCount + " available processors; " +
                "threads that share a core turn sub-microsecond hand-offs into milliseconds. Use a back-off idle " +
                "strategy, fewer workers, or ThreadingMode.SHARED.";
            LOG.log(System.Logger.Level.WARNING, warning);
            counters.balancer(Counters.BUSY_SPIN_WARNINGS, 1);
            faults.record(new EngineWarning(warning));
        }
    }

    private static Watchdog.BalancerHost host(final ThreadingMode mode)
    {
        switch (mode)
        {
            case SHARED:
                return Watchdog.BalancerHost.WORKER_0;
            case INVOKER:
                return Watchdog.BalancerHost.APPLICATION;
            default:
                return Watchdog.BalancerHost.OWN_THREAD;
        }
    }

    private void start(final BalancerBuilder<?, ?> builder)
    {
        final int[] cpus = builder.pinCpus();
        final AtomicBoolean pinningReported = new AtomicBoolean();
        switch (threadingMode)
        {
            case DEDICATED:
                startWorkers(builder, 0, cpus, 1, pinningReported);
                startRunner(builder, balancerAgent, builder.balancerIdleStrategy().get(), cpu(cpus, 0),
                    pinningReported, this::balancerInterruptCleared, -1);
                break;

            case SHARED:
                startWorkers(builder, 1, cpus, 1, pinningReported);
                if (null == workerInvokers)
                {
                    final BalancerAgent balancer = balancerAgent;
                    final WorkerAgent worker0 = workerAgents[0];
                    balancer.directTo(0);
                    final Agent composite = new Agent()
                    {
                        public int doWork()
                        {
                            int work = balancer.doWork();
                            final Job direct = balancer.takeDirect();
                            if (null != direct)
                            {
                                balancer.letGo(); // user code follows, as below
                                worker0.runDirect(direct);
                                work++;
                            }
                            if (worker0.hasQueued())
                            {
                                balancer.letGo(); // worker 0's tasks are user code: the watchdog may need the baton
                                work += worker0.doWork();
                            }
                            return work;
                        }

                        public String roleName()
                        {
                            return "fulcrum-balancer+worker-0";
                        }
                    };
                    startRunner(builder, composite, builder.workerIdleStrategy().get(), cpu(cpus, 0),
                        pinningReported, workerAgents[0]::interruptCleared, 0);
                }
                break;

            default:
                balancerInvoker.start();
                startWorkers(builder, 0, cpus, 0, pinningReported);
                break;
        }
        if (null != watchdog && null == watchdogInvoker)
        {
            samplerRunner = startRunner(builder, watchdog, watchdog.idleStrategy(), -1, pinningReported, () -> { }, -1);
        }
        else if (null != watchdogInvoker)
        {
            watchdogInvoker.start();
        }
        else if (null == watchdog && null != counters.file())
        {
            samplerRunner = startRunner(builder, sampler, CountersSampler.idleStrategy(), -1, pinningReported,
                () -> { }, -1);
        }
        if (null != latency && null == watchdog)
        {
            // no watchdog to end the latency intervals: a thread of their own
            startRunner(builder, latency, latency.idleStrategy(), -1, pinningReported, () -> { }, -1);
        }
    }

    private static int cpu(final int[] cpus, final int index)
    {
        return null == cpus ? -1 : cpus[index];
    }

    private void startWorkers(
        final BalancerBuilder<?, ?> builder,
        final int firstWorker,
        final int[] cpus,
        final int firstCpuIndex,
        final AtomicBoolean pinningReported)
    {
        if (null != workerInvokers)
        {
            return;
        }
        for (int w = firstWorker; w < builder.workers(); w++)
        {
            startWorker(builder, w, cpu(cpus, firstCpuIndex + w - firstWorker), pinningReported);
        }
    }

    /**
     * Start worker {@code w}'s thread: at build, and when a worker is added ({@link WorkerPool}).
     */
    void startWorker(final BalancerBuilder<?, ?> builder, final int w, final int cpu, final AtomicBoolean pinningReported)
    {
        startRunner(builder, workerAgents[w], builder.workerIdleStrategy().get(), cpu, pinningReported,
            workerAgents[w]::interruptCleared, w);
    }

    /**
     * Start a remote worker in slot {@code w} ({@link WorkerPool}): an engine thread of its own that serves the link
     * (or, with hand-stepped workers, an invoker).
     *
     * @param onLost posts the worker as leaving once its link is lost.
     */
    void startRemoteWorker(
        final BalancerBuilder<?, ?> builder, final int w, final WorkerLink<?, ?> link, final Runnable onLost)
    {
        final RemoteWorkerAgent agent = new RemoteWorkerAgent(w, balancerAgent.workerQueues[w],
            balancerAgent.completions[w], link, faults, counters, builder.workerQueueCapacity(), onLost);
        remoteAgents[w] = agent;
        if (null != workerInvokers)
        {
            workerInvokers[w] = new AgentInvoker(faults::report, null, agent);
            workerInvokers[w].start();
            return;
        }
        startRunner(builder, agent, builder.workerIdleStrategy().get(), -1, new AtomicBoolean(true),
            agent::interruptCleared, w);
    }

    /**
     * Slot {@code w} is about to hold a local worker again (it may have held a remote one).
     */
    void useLocalAgent(final int w)
    {
        remoteAgents[w] = null;
        if (null != workerInvokers)
        {
            workerInvokers[w] = localInvokers[w];
        }
    }

    /**
     * Slot {@code w}'s worker is gone and its runner stopped: a hand-stepped remote worker's invoker is closed here
     * instead (which closes its link).
     */
    void slotGone(final int w)
    {
        if (null != workerInvokers && workerInvokers[w] != localInvokers[w])
        {
            workerInvokers[w].close();
        }
    }

    /**
     * @return slot {@code w}'s remote worker agent, or null when the slot's worker is local (tests).
     */
    RemoteWorkerAgent remoteAgent(final int w)
    {
        return remoteAgents[w];
    }

    private EngineRunner startRunner(
        final BalancerBuilder<?, ?> builder,
        final Agent agent,
        final IdleStrategy idleStrategy,
        final int cpu,
        final AtomicBoolean pinningReported,
        final Runnable onInterruptWhileIdle,
        final int worker)
    {
        final EngineRunner runner = new EngineRunner(agent, idleStrategy, faults, onInterruptWhileIdle);
        final ThreadFactory factory = builder.threadFactory();
        final ThreadFactory pinning = cpu < 0 ? factory : runnable -> factory.newThread(() ->
        {
            final String failure = Pinning.pinCurrentThread(cpu);
            if (null != failure && pinningReported.compareAndSet(false, true))
            {
                final String warning = "fulcrum: could not pin " + agent.roleName() + " to cpu=" + cpu + " (" +
                    failure + "); running unpinned. Further pinning failures of this balancer are not reported.";
                LOG.log(System.Logger.Level.WARNING, warning);
                faults.record(new EngineWarning(warning));
            }
            runnable.run();
        });
        addRunner(runner);
        if (idleStrategy instanceof BusySpinIdleStrategy || idleStrategy instanceof NoOpIdleStrategy)
        {
            spinningThreads++;
            workersSpin |= worker >= 0;
        }
        runner.start(pinning);
        if (worker >= 0)
        {
            workerThreads[worker] = runner.thread();
            workerRunners[worker] = runner;
        }
        return runner;
    }

    private void balancerInterruptCleared()
    {
        balancerAgent.interruptCleared();
    }

    /**
     * A removed worker's thread has ended: forget its runner.
     */
    void runnerEnded(final EngineRunner runner)
    {
        synchronized (runnersLock)
        {
            final EngineRunner[] old = runners;
            final EngineRunner[] kept = new EngineRunner[old.length];
            int n = 0;
            for (final EngineRunner r : old)
            {
                if (r != runner)
                {
                    kept[n++] = r;
                }
            }
            runners = Arrays.copyOf(kept, n);
        }
    }

    private void addRunner(final EngineRunner runner)
    {
        synchronized (runnersLock)
        {
            final EngineRunner[] old = runners;
            final EngineRunner[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = runner;
            runners = grown;
        }
    }

    /**
     * @return runners of the engine's threads, live or stopping (tests).
     */
    int runnerCount()
    {
        return runners.length;
    }

    boolean isEngineThread(final Thread thread)
    {
        for (final EngineRunner runner : runners)
        {
            if (runner.thread() == thread)
            {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // close

    /**
     * @throws IllegalStateException on one of the engine's own threads, where a close would wait for itself; before
     *                               anything is changed, so the refused close leaves the balancer open.
     */
    void refuseOnEngineThread()
    {
        if (isEngineThread(Thread.currentThread()))
        {
            throw new IllegalStateException("close() called on engine thread " + Thread.currentThread().getName() +
                ": it would wait for itself");
        }
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
        refuseOnEngineThread();
        final boolean forever = Ingress.WAIT_FOREVER == timeoutNs;
        final long deadline = forever ? 0 : System.nanoTime() + timeoutNs;
        balancerAgent.drainTo(target);

        boolean interrupted = false;
        int idle = 0;
        final Outbox outbox = new Outbox(64); // this closer's own: several may drive at once
        while (!balancerAgent.isDrained() && !terminated)
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
                return balancerAgent.isDrained();
            }
        }
        catch (final InterruptedException ex)
        {
            interrupted = true;
            return balancerAgent.isDrained();
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
                pool.close();
                outcome = balancerAgent.isDrained() ? stopDrained(forever, deadline) : stopAtDeadline(target);
                terminated = true;
                closeCounters();
                pool.terminated();
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
        if (null != balancerInvoker)
        {
            work += balancerAgent.cycle(outbox);
            outbox.deliver(faults);
        }
        if (null != workerInvokers)
        {
            for (final AgentInvoker invoker : workerInvokers)
            {
                work += invoker.invoke();
            }
        }
        if (null != watchdogInvoker)
        {
            work += watchdogInvoker.invoke();
        }
        return work;
    }

    private boolean stopDrained(final boolean forever, final long deadline)
    {
        for (final EngineRunner runner : runners)
        {
            runner.stop();
        }
        boolean interrupted = false;
        for (final EngineRunner runner : runners)
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
        closeInvokers();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private boolean stopAtDeadline(final long target)
    {
        balancerAgent.seize();
        final DeadlineAnswers answers = new DeadlineAnswers(faults, null);
        answers.answerAll(balancerAgent, target, workerAgents);
        answeredClosedBeforeRun = answers.closedBeforeRun();
        answeredAbandoned = answers.abandoned();
        stopAndInterrupt();
        closeInvokers();
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
        refuseOnEngineThread();
        final CloseEvent event = JfrEvents.closeStarted();
        final List<Object> takenBack = takeBack(target);
        JfrEvents.closed(event, "closeNow()", 0, false, 0, 0, takenBack.size());
        return takenBack;
    }

    private List<Object> takeBack(final long target)
    {
        balancerAgent.drainTo(target);
        terminationLock.lock();
        try
        {
            final List<Object> takenBack = new java.util.ArrayList<>();
            if (!terminated)
            {
                pool.close();
                balancerAgent.seize();
                new DeadlineAnswers(faults, takenBack).answerAll(balancerAgent, target, workerAgents);
                stopAndInterrupt();
                closeInvokers();
                outcome = false;
                terminated = true;
                closeCounters();
                pool.terminated();
            }
            return takenBack;
        }
        finally
        {
            terminationLock.unlock();
        }
    }

    /**
     * @return true once the engine has stopped and every one of its threads has ended.
     */
    boolean threadsEnded()
    {
        if (!terminated)
        {
            return false;
        }
        for (final EngineRunner runner : runners)
        {
            final Thread thread = runner.thread();
            if (null != thread && thread.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    private void stopAndInterrupt()
    {
        for (final WorkerAgent worker : workerAgents)
        {
            worker.engineStopping(); // the interrupts below are the engine's: not reported as user error
        }
        for (final RemoteWorkerAgent remote : remoteAgents)
        {
            if (null != remote)
            {
                remote.engineStopping();
            }
        }
        for (final EngineRunner runner : runners)
        {
            runner.stop();
        }
        for (final EngineRunner runner : runners)
        {
            final Thread thread = runner.thread();
            if (null != thread)
            {
                thread.interrupt();
            }
        }
    }

    /**
     * Closing thread, once the engine has stopped: log what is still queued and sample a last time when the
     * sampler's thread has ended (its end happens-before this thread sees it ended, so this thread may write in its
     * place), then mark the counters closed. A sampler thread still running (a deadline close does not wait for it)
     * keeps its counters.
     */
    private void closeCounters()
    {
        final Thread host = null == samplerRunner ? null : samplerRunner.thread();
        if (null == host || !host.isAlive())
        {
            sampler.doWork();
        }
        counters.close();
    }

    private void closeInvokers()
    {
        if (null != balancerInvoker)
        {
            balancerInvoker.close();
        }
        if (null != workerInvokers)
        {
            for (int w = 0; w < workerInvokers.length; w++)
            {
                workerInvokers[w].close();
                localInvokers[w].close(); // (a second close of the same invoker does nothing)
            }
        }
        if (null != watchdogInvoker)
        {
            watchdogInvoker.close();
        }
    }

    /**
     * @return how many workers the cores allow: all of {@code maxWorkers} unless workers busy-spin, when each needs
     * a core (less one for a DEDICATED balancer thread).
     */
    int coreBoundWorkers()
    {
        if (!workersSpin)
        {
            return pool.maxWorkers();
        }
        final int cores = Runtime.getRuntime().availableProcessors() - (ThreadingMode.DEDICATED == threadingMode ? 1 : 0);
        return Math.max(1, Math.min(pool.maxWorkers(), cores));
    }

    boolean isTerminated()
    {
        return terminated;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // package-private hooks for deterministic tests

    AgentInvoker balancerInvoker()
    {
        return balancerInvoker;
    }

    AgentInvoker workerInvoker(final int worker)
    {
        if (null == workerInvokers)
        {
            throw new IllegalStateException("workers run on threads; build with manualWorkers() to step them");
        }
        return workerInvokers[worker];
    }

    AgentInvoker watchdogInvoker()
    {
        if (null == watchdogInvoker)
        {
            throw new IllegalStateException("the watchdog runs on a thread; build with manualWatchdog() to step it");
        }
        return watchdogInvoker;
    }

    ThreadingMode threadingMode()
    {
        return threadingMode;
    }
}
