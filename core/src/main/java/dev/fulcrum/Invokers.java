package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;

/**
 * The engine's agents that run on no thread of their own but are stepped by a caller: the balancer in
 * {@link ThreadingMode#INVOKER} (the application drives it), and, in tests, hand-stepped workers and watchdog. A slot
 * that holds a remote worker is stepped through its own invoker while it does.
 */
final class Invokers
{
    private final EngineFaults faults;
    /** The balancer's, in INVOKER mode; else null. */
    private final AgentInvoker balancer;
    /** Each slot's invoker with hand-stepped workers (a remote worker's while the slot holds one); else null. */
    private final AgentInvoker[] workers;
    private final AgentInvoker[] localWorkers;
    /** The watchdog's when it is hand-stepped; else null. */
    private final AgentInvoker watchdog;

    /**
     * @param balancerAgent the balancer, stepped when non-null.
     * @param workerAgents  every slot's local worker, stepped when non-null.
     * @param watchdogAgent the watchdog, stepped when non-null.
     */
    Invokers(
        final EngineFaults faults, final Agent balancerAgent, final Agent[] workerAgents, final Agent watchdogAgent)
    {
        this.faults = faults;
        balancer = null == balancerAgent ? null : new AgentInvoker(faults::report, null, balancerAgent);
        if (null == workerAgents)
        {
            workers = null;
            localWorkers = null;
        }
        else
        {
            workers = new AgentInvoker[workerAgents.length];
            localWorkers = new AgentInvoker[workerAgents.length];
            for (int w = 0; w < workerAgents.length; w++)
            {
                localWorkers[w] = new AgentInvoker(faults::report, null, workerAgents[w]);
                localWorkers[w].start();
                workers[w] = localWorkers[w];
            }
        }
        watchdog = null == watchdogAgent ? null : new AgentInvoker(faults::report, null, watchdogAgent);
    }

    boolean stepsBalancer()
    {
        return null != balancer;
    }

    boolean stepsWorkers()
    {
        return null != workers;
    }

    boolean stepsWatchdog()
    {
        return null != watchdog;
    }

    void startBalancer()
    {
        balancer.start();
    }

    void startWatchdog()
    {
        watchdog.start();
    }

    /**
     * Slot {@code w} holds a remote worker from now on, stepped through an invoker of its own.
     */
    void useRemote(final int w, final Agent remote)
    {
        workers[w] = new AgentInvoker(faults::report, null, remote);
        workers[w].start();
    }

    /**
     * Slot {@code w} holds its local worker again.
     */
    void useLocal(final int w)
    {
        if (null != workers)
        {
            workers[w] = localWorkers[w];
        }
    }

    /**
     * Slot {@code w}'s worker is gone: a remote worker's invoker is closed (which closes its link).
     */
    void slotGone(final int w)
    {
        if (null != workers && workers[w] != localWorkers[w])
        {
            workers[w].close();
        }
    }

    /**
     * A closer's share of the work where no engine thread does it: workers and watchdog stepped by hand (the
     * balancer's cycle the closer runs itself, through the baton).
     */
    int stepWorkersAndWatchdog()
    {
        int work = 0;
        if (null != workers)
        {
            for (final AgentInvoker invoker : workers)
            {
                work += invoker.invoke();
            }
        }
        if (null != watchdog)
        {
            work += watchdog.invoke();
        }
        return work;
    }

    void closeAll()
    {
        if (null != balancer)
        {
            balancer.close();
        }
        if (null != workers)
        {
            for (int w = 0; w < workers.length; w++)
            {
                workers[w].close();
                localWorkers[w].close(); // (a second close of the same invoker does nothing)
            }
        }
        if (null != watchdog)
        {
            watchdog.close();
        }
    }

    AgentInvoker balancer()
    {
        return balancer;
    }

    AgentInvoker worker(final int w)
    {
        if (null == workers)
        {
            throw new IllegalStateException("workers run on threads; build with manualWorkers() to step them");
        }
        return workers[w];
    }

    AgentInvoker watchdog()
    {
        if (null == watchdog)
        {
            throw new IllegalStateException("the watchdog runs on a thread; build with manualWatchdog() to step it");
        }
        return watchdog;
    }
}
