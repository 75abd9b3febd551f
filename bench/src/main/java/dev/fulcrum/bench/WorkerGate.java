package dev.fulcrum.bench;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Holds a balancer's worker threads still between rounds, so that one thread can run the balancer's duty cycle
 * while no worker runs, then let every worker finish all it was given before the next cycle: workers that complete
 * at once and are never the limit, through the public API only (each worker's idle strategy, which the engine calls
 * after every duty cycle of the worker, is the gate).
 * <p>
 * A round, as the stepping thread sees it: {@link #open()} lets every worker out; each runs duty cycles (its whole
 * queue, replies, completions handed back) until one finds nothing to do, then arrives at the gate and parks;
 * {@link #awaitArrivals(long)} returns once all have arrived (the stepping thread yields meanwhile, never sleeps, as
 * a balancer thread that is never idle would not). Between that return and the next {@link #open()} no
 * worker runs engine code: every worker thread is parked in {@link #arrive(GateIdleStrategy)}, and it leaves only
 * when the round number changes. {@link #release()} opens the gate for good (before the balancer is closed):
 * workers then idle with a back-off strategy like any other.
 * <p>
 * Threading: {@link #open()}, {@link #awaitArrivals(long)} and {@link #release()} from one stepping thread; the
 * idle strategies from the worker threads, one each.
 */
final class WorkerGate
{
    private final int workers;
    private final AtomicReferenceArray<Thread> threads;
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile long round;
    private volatile boolean released;

    /**
     * @param workers how many worker threads will idle through this gate (the balancer's {@code workers}).
     */
    WorkerGate(final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
        this.workers = workers;
        threads = new AtomicReferenceArray<>(workers);
    }

    /**
     * @return for {@code BalancerBuilder.workerIdleStrategy}: one gate strategy per worker thread.
     */
    Supplier<IdleStrategy> idleStrategies()
    {
        return () -> new GateIdleStrategy(this);
    }

    /**
     * Stepping thread: let every worker run until it has nothing left to do. Call only after
     * {@link #awaitArrivals(long)} returned.
     */
    void open()
    {
        arrived.set(0); // before the round changes: no worker can arrive for the new round before it sees it
        round++; // volatile store: publishes everything the stepper did before (the jobs it dispatched)
        unparkAll();
    }

    /**
     * Stepping thread: wait until every worker has arrived at the gate for the current round.
     *
     * @param timeoutNs how long to wait at most.
     * @throws IllegalStateException naming how many arrived when the time runs out.
     */
    void awaitArrivals(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (arrived.get() < workers)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("workers did not all reach the gate within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: arrived=" + arrived.get() + ", workers=" +
                    workers + ", round=" + round);
            }
            // stay runnable: a balancer thread never sleeps, so neither does its stand-in, but a worker waiting for
            // this core gets it
            Thread.yield();
        }
    }

    /**
     * Open the gate for good: every worker idles with a back-off strategy from now on (before closing the balancer,
     * which needs its workers).
     */
    void release()
    {
        released = true;
        unparkAll();
    }

    /**
     * @return rounds opened so far.
     */
    long round()
    {
        return round;
    }

    private void unparkAll()
    {
        for (int i = 0; i < workers; i++)
        {
            final Thread t = threads.get(i);
            if (null != t)
            {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * Worker thread: it found nothing to do in the round it last saw; wait for the next one.
     */
    void arrive(final GateIdleStrategy idle)
    {
        if (idle.slot < 0)
        {
            final int slot = registered.getAndIncrement();
            if (slot >= workers)
            {
                throw new IllegalStateException("more worker threads idle through the gate than it was made for: " +
                    "workers=" + workers);
            }
            threads.set(slot, Thread.currentThread()); // before the arrival below, so the stepper can unpark it
            idle.slot = slot;
        }
        final long done = round;
        arrived.incrementAndGet();
        while (round == done && !released)
        {
            LockSupport.park(this);
        }
    }

    boolean isReleased()
    {
        return released;
    }

    /**
     * One worker thread's idle strategy: straight back to work while the last duty cycle did something; at the gate
     * when it did nothing; Fulcrum's default back-off once the gate is released.
     */
    static final class GateIdleStrategy implements IdleStrategy
    {
        private final WorkerGate gate;
        private final IdleStrategy afterRelease = new BackoffIdleStrategy(10, 1_000, 1_000, 100_000);
        int slot = -1;

        GateIdleStrategy(final WorkerGate gate)
        {
            this.gate = gate;
        }

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                afterRelease.reset();
                return;
            }
            if (gate.isReleased())
            {
                afterRelease.idle();
                return;
            }
            gate.arrive(this);
        }

        @Override
        public void idle()
        {
            idle(0);
        }

        @Override
        public void reset()
        {
            afterRelease.reset();
        }

        @Override
        public String alias()
        {
            return "gate";
        }
    }
}
