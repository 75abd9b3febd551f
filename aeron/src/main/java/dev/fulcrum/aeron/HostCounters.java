package dev.fulcrum.aeron;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an {@link AeronWorkerHost} has done: written by the host's thread only, readable from any thread.
 */
public final class HostCounters
{
    final AtomicLong requestsRun = new AtomicLong();
    final AtomicLong tasksFailed = new AtomicLong();
    final AtomicLong ignoredMessages = new AtomicLong();
    final AtomicLong malformedMessages = new AtomicLong();
    final AtomicLong interruptsCleared = new AtomicLong();
    final AtomicLong balancersServed = new AtomicLong();
    final AtomicLong balancersLost = new AtomicLong();
    final AtomicLong repliesDropped = new AtomicLong();

    HostCounters()
    {
    }

    /**
     * @return requests the task was run for (or whose decoding failed).
     */
    public long requestsRun()
    {
        return requestsRun.get();
    }

    /**
     * @return requests whose task threw.
     */
    public long tasksFailed()
    {
        return tasksFailed.get();
    }

    /**
     * @return messages dropped because they came from a session the host does not serve.
     */
    public long ignoredMessages()
    {
        return ignoredMessages.get();
    }

    /**
     * @return messages dropped because they were not the protocol's.
     */
    public long malformedMessages()
    {
        return malformedMessages.get();
    }

    /**
     * @return how often a task left the thread's interrupt flag set (cleared each time).
     */
    public long interruptsCleared()
    {
        return interruptsCleared.get();
    }

    /**
     * @return balancers adopted (by their HELLO) since the host started.
     */
    public long balancersServed()
    {
        return balancersServed.get();
    }

    /**
     * @return balancers the host stopped serving (silent, or their image went).
     */
    public long balancersLost()
    {
        return balancersLost.get();
    }

    /**
     * @return replies not sent because their balancer was lost first.
     */
    public long repliesDropped()
    {
        return repliesDropped.get();
    }

    static void increment(final AtomicLong counter)
    {
        counter.lazySet(counter.get() + 1); // single writer: the host's thread
    }

    @Override
    public String toString()
    {
        return "requestsRun=" + requestsRun() + ", tasksFailed=" + tasksFailed() + ", ignoredMessages=" +
            ignoredMessages() + ", malformedMessages=" + malformedMessages() + ", interruptsCleared=" +
            interruptsCleared() + ", balancersServed=" + balancersServed() + ", balancersLost=" + balancersLost() +
            ", repliesDropped=" + repliesDropped();
    }
}
