package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

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
    final RemoteWorkerAgent[] remoteAgents;
    final Counters counters;
    final EngineFaults faults;
    /** The latency histograms' interval reader and published figures; null when they are off. */
    final LatencyIntervals latency;
    private final ThreadingMode threadingMode;
    final EngineRunners runners = new EngineRunners();
    final Thread[] workerThreads;
    final EngineRunner[] workerRunners;
    final WorkerPool pool;
    final Invokers invokers;
    private final Watchdog watchdog;
    final CountersSampler sampler;
    /** The runner whose thread samples the counters (the watchdog's or the sampler's own), or null. */
    EngineRunner samplerRunner;
    private final EngineClose closer = new EngineClose(this);
    private int spinningThreads;
    private volatile boolean workersSpin;

    @SuppressWarnings({"unchecked", "rawtypes"}) // one generic array of worker queues
    Engine(final EngineSettings settings, final Ingress ingress)
    {
        final int workers = settings.workers;
        final int maxWorkers = settings.maxWorkers;
        threadingMode = settings.threadingMode;
        final java.nio.file.Path countersDirectory = settings.countersDirectory;
        // the error queue is drained by the sampler: on the watchdog's thread, or its own thread when there is a file
        counters = new Counters(countersDirectory, maxWorkers, workers, settings.policy.name(), threadingMode.name(),
            settings.stallThresholdNs > 0 || null != countersDirectory);
        faults = new EngineFaults(settings.errorHandler, counters.errorLog());
        final Dispatcher dispatcher = settings.policy.newDispatcher(maxWorkers, settings.maxPendingPerWorker);
        final AdaptiveBinding binding = settings.adaptiveBinding && dispatcher.maxPending > 1 ?
            new AdaptiveBinding(dispatcher, settings.bindingTargetNs, settings.clock) : null;
        final int maxParked = settings.maxParked;
        final SpscVarHandleArrayQueue<Job>[] queues = new SpscVarHandleArrayQueue[maxWorkers];
        final SpscVarHandleArrayQueue<Job>[] completions = new SpscVarHandleArrayQueue[maxWorkers];
        latency = settings.latencyHistograms ? new LatencyIntervals(maxWorkers, settings.latencyIntervalNs,
            settings.jfrRequestSampling, settings.clock, counters) : null;
        workerAgents = new WorkerAgent[maxWorkers];
        remoteAgents = new RemoteWorkerAgent[maxWorkers];
        for (int w = 0; w < maxWorkers; w++)
        {
            queues[w] = new SpscVarHandleArrayQueue<>(settings.workerQueueCapacity);
            // a worker hands back at most what it holds: its pending count, which the queue's capacity bounds
            completions[w] = new SpscVarHandleArrayQueue<>(settings.workerQueueCapacity);
            workerAgents[w] = new WorkerAgent(w, queues[w], completions[w], (Task<Object, Object>)settings.task, faults,
                counters, settings.workerQueueCapacity, null == latency ? null : latency.recorder(w),
                null == binding ? null : binding.sampler(w));
        }
        final com.lmax.disruptor.Sequence consumed = new com.lmax.disruptor.Sequence(-1);
        ingress.ring.addGatingSequences(consumed);
        sampler = new CountersSampler(counters, ingress, consumed, settings.clock);
        balancerAgent = new BalancerAgent(ingress.ring, consumed, completions, queues, dispatcher, counters, faults,
            maxParked, settings.maxParkedPerKey, workers, binding);
        pool = new WorkerPool(this, settings, workers);
        balancerAgent.workerStates.goneListener(pool::gone);

        workerThreads = settings.manualWorkers ? null : new Thread[maxWorkers];
        workerRunners = new EngineRunner[maxWorkers];
        if (ThreadingMode.INVOKER == threadingMode)
        {
            balancerAgent.runsOnApplicationThread();
        }

        final long stallThresholdNs = settings.stallThresholdNs;
        watchdog = stallThresholdNs <= 0 ? null : new Watchdog(balancerAgent, counters, faults, settings.clock,
            stallThresholdNs, host(threadingMode), workerThreads, latency, sampler);
        invokers = new Invokers(faults, ThreadingMode.INVOKER == threadingMode ? balancerAgent : null,
            settings.manualWorkers ? workerAgents : null, null != watchdog && settings.manualWatchdog ? watchdog : null);

        try
        {
            start(settings);
        }
        catch (final RuntimeException | Error ex)
        {
            // a thread factory or idle strategy supplier failed: stop what did start, leave no thread behind
            engineStopping();
            runners.stopAll();
            runners.interruptAll();
            counters.close();
            throw ex;
        }
        ingress.engineThreads(this::isEngineThread);

        final int cpuCount = Runtime.getRuntime().availableProcessors();
        final int application = settings.busyApplicationThreads;
        if (spinningThreads > 0 && spinningThreads + application > cpuCount)
        {
            final String warning =
                "fulcrum: " + spinningThreads + " busy-spinning engine threads and " + application +
                " busy application threads (busyApplicationThreads) on " + cpuCount + " available processors; " +
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

    private void start(final EngineSettings settings)
    {
        final int[] cpus = settings.pinCpus;
        final AtomicBoolean pinningReported = new AtomicBoolean();
        switch (threadingMode)
        {
            case DEDICATED:
                startWorkers(settings, 0, cpus, 1, pinningReported);
                startRunner(settings, balancerAgent, settings.balancerIdleStrategy.get(), cpu(cpus, 0),
                    pinningReported, this::balancerInterruptCleared, -1);
                break;

            case SHARED:
                startWorkers(settings, 1, cpus, 1, pinningReported);
                if (!invokers.stepsWorkers())
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
                                balancer.completedDirect(worker0.runDirect(direct));
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
                    startRunner(settings, composite, settings.workerIdleStrategy.get(), cpu(cpus, 0),
                        pinningReported, workerAgents[0]::interruptCleared, 0);
                }
                break;

            default:
                invokers.startBalancer();
                startWorkers(settings, 0, cpus, 0, pinningReported);
                break;
        }
        if (null != watchdog && !invokers.stepsWatchdog())
        {
            samplerRunner = startRunner(settings, watchdog, watchdog.idleStrategy(), -1, pinningReported, () -> { }, -1);
        }
        else if (invokers.stepsWatchdog())
        {
            invokers.startWatchdog();
        }
        else if (null == watchdog && null != counters.file())
        {
            samplerRunner = startRunner(settings, sampler, CountersSampler.idleStrategy(), -1, pinningReported,
                () -> { }, -1);
        }
        if (null != latency && null == watchdog)
        {
            // no watchdog to end the latency intervals: a thread of their own
            startRunner(settings, latency, latency.idleStrategy(), -1, pinningReported, () -> { }, -1);
        }
    }

    private static int cpu(final int[] cpus, final int index)
    {
        return null == cpus ? -1 : cpus[index];
    }

    private void startWorkers(
        final EngineSettings settings,
        final int firstWorker,
        final int[] cpus,
        final int firstCpuIndex,
        final AtomicBoolean pinningReported)
    {
        if (invokers.stepsWorkers())
        {
            return;
        }
        for (int w = firstWorker; w < settings.workers; w++)
        {
            startWorker(settings, w, cpu(cpus, firstCpuIndex + w - firstWorker), pinningReported);
        }
    }

    /**
     * Start worker {@code w}'s thread: at build, and when a worker is added ({@link WorkerPool}).
     */
    void startWorker(final EngineSettings settings, final int w, final int cpu, final AtomicBoolean pinningReported)
    {
        startRunner(settings, workerAgents[w], settings.workerIdleStrategy.get(), cpu, pinningReported,
            workerAgents[w]::interruptCleared, w);
    }

    /**
     * Start a remote worker in slot {@code w} ({@link WorkerPool}): an engine thread of its own that serves the link
     * (or, with hand-stepped workers, an invoker).
     *
     * @param onLost posts the worker as leaving once its link is lost.
     */
    void startRemoteWorker(
        final EngineSettings settings, final int w, final WorkerLink<?, ?> link, final Runnable onLost)
    {
        final RemoteWorkerAgent agent = new RemoteWorkerAgent(w, balancerAgent.workerQueues[w],
            balancerAgent.completions[w], link, faults, counters, settings.workerQueueCapacity, onLost);
        remoteAgents[w] = agent;
        if (invokers.stepsWorkers())
        {
            invokers.useRemote(w, agent);
            return;
        }
        startRunner(settings, agent, settings.workerIdleStrategy.get(), -1, new AtomicBoolean(true),
            agent::interruptCleared, w);
    }

    /**
     * Slot {@code w} is about to hold a local worker again (it may have held a remote one).
     */
    void useLocalAgent(final int w)
    {
        remoteAgents[w] = null;
        invokers.useLocal(w);
    }

    /**
     * Slot {@code w}'s worker is gone and its runner stopped: a hand-stepped remote worker's invoker is closed here
     * instead (which closes its link).
     */
    void slotGone(final int w)
    {
        invokers.slotGone(w);
    }

    /**
     * @return slot {@code w}'s remote worker agent, or null when the slot's worker is local (tests).
     */
    RemoteWorkerAgent remoteAgent(final int w)
    {
        return remoteAgents[w];
    }

    private EngineRunner startRunner(
        final EngineSettings settings,
        final Agent agent,
        final IdleStrategy idleStrategy,
        final int cpu,
        final AtomicBoolean pinningReported,
        final Runnable onInterruptWhileIdle,
        final int worker)
    {
        final EngineRunner runner = new EngineRunner(agent, idleStrategy, faults, onInterruptWhileIdle);
        final ThreadFactory factory = settings.threadFactory;
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
        runners.add(runner);
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
        runners.ended(runner);
    }

    /**
     * @return runners of the engine's threads, live or stopping (tests).
     */
    int runnerCount()
    {
        return runners.all().length;
    }

    boolean isEngineThread(final Thread thread)
    {
        return runners.isEngineThread(thread);
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
     * See {@link EngineClose#close(long, long)}.
     */
    boolean close(final long target, final long timeoutNs)
    {
        return closer.close(target, timeoutNs);
    }

    /**
     * See {@link EngineClose#closeNow(long)}.
     */
    List<Object> closeNow(final long target)
    {
        return closer.closeNow(target);
    }

    /**
     * @return true once the engine has stopped and every one of its threads has ended.
     */
    boolean threadsEnded()
    {
        return closer.isTerminated() && runners.allEnded();
    }

    /**
     * Every engine thread is to stop, and the interrupts about to be sent to them are the engine's own: not
     * reported as user error.
     */
    void engineStopping()
    {
        for (final WorkerAgent worker : workerAgents)
        {
            worker.engineStopping();
        }
        for (final RemoteWorkerAgent remote : remoteAgents)
        {
            if (null != remote)
            {
                remote.engineStopping();
            }
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
        return closer.isTerminated();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // package-private hooks for deterministic tests

    AgentInvoker balancerInvoker()
    {
        return invokers.balancer();
    }

    AgentInvoker workerInvoker(final int worker)
    {
        return invokers.worker(worker);
    }

    AgentInvoker watchdogInvoker()
    {
        return invokers.watchdog();
    }

    ThreadingMode threadingMode()
    {
        return threadingMode;
    }
}
