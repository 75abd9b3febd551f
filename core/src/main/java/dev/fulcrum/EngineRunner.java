package dev.fulcrum;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

/**
 * Runs one engine agent on its own thread: duty cycle, then idle, until stopped. Fulcrum's own loop rather than
 * Agrona's {@code AgentRunner}, for two reasons: {@code AgentRunner} stops an agent whose thread is interrupted
 * while idle (and user code can leave the flag set, or interrupt an engine thread from outside), and its
 * {@code close()} interrupts and joins for as long as the thread lives, which a close with a deadline must not do.
 * Here the engine owns the interrupt status: after every idle the flag is cleared and, unless the engine itself is
 * stopping the thread, reported as user error; and {@link #stop()} only asks, so the closer decides how long to
 * wait ({@link #join(long)}).
 */
final class EngineRunner implements Runnable
{
    private final Agent agent;
    private final IdleStrategy idleStrategy;
    private final EngineFaults faults;
    private final Runnable onInterruptWhileIdle;
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile Thread thread;

    /**
     * @param onInterruptWhileIdle told (on the runner's thread) when the flag was found set between duty cycles.
     */
    EngineRunner(
        final Agent agent,
        final IdleStrategy idleStrategy,
        final EngineFaults faults,
        final Runnable onInterruptWhileIdle)
    {
        this.agent = agent;
        this.idleStrategy = idleStrategy;
        this.faults = faults;
        this.onInterruptWhileIdle = onInterruptWhileIdle;
    }

    @Override
    public void run()
    {
        started = true;
        final Agent agent = this.agent;
        final IdleStrategy idleStrategy = this.idleStrategy;
        while (running)
        {
            int work = 0;
            try
            {
                work = agent.doWork();
            }
            catch (final Throwable t)
            {
                // engine agents catch user code themselves; this is a bug in the engine, reported, not fatal
                faults.report(t);
            }
            idleStrategy.idle(work);
            if (Thread.interrupted() && running)
            {
                onInterruptWhileIdle.run();
            }
        }
        try
        {
            agent.onClose();
        }
        catch (final Throwable t)
        {
            faults.report(t);
        }
    }

    /**
     * Make the runner's thread with {@code factory}, name it after the agent's role, and start it.
     *
     * @throws IllegalStateException when the factory returns null.
     */
    void start(final java.util.concurrent.ThreadFactory factory)
    {
        final Thread t = factory.newThread(this);
        if (null == t)
        {
            throw new IllegalStateException("threadFactory returned null for " + agent.roleName());
        }
        t.setName(agent.roleName());
        thread = t;
        t.start();
    }

    /**
     * Wait until the thread runs the loop, so that whoever added it knows it is ready for work.
     *
     * @throws IllegalStateException when it has not started within {@code timeoutNs} (a thread factory whose
     *                               threads never run).
     */
    void awaitStarted(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int idle = 0;
        while (!started)
        {
            if (System.nanoTime() - deadline >= 0)
            {
                throw new IllegalStateException("engine thread did not start: " + agent.roleName());
            }
            idle = Ingress.backoff(idle);
        }
    }

    /**
     * Wait for the thread to end, at most {@code timeoutNs}.
     *
     * @return true when it has ended (or never started).
     */
    boolean join(final long timeoutNs) throws InterruptedException
    {
        final Thread t = thread;
        if (null == t)
        {
            return true;
        }
        if (timeoutNs > 0)
        {
            t.join(Math.max(1, timeoutNs / 1_000_000), 0);
        }
        return !t.isAlive();
    }

    /**
     * Ask the loop to end after its current duty cycle; returns at once.
     */
    void stop()
    {
        running = false;
    }

    /**
     * @return the thread made for the loop, or null before {@link #start}.
     */
    Thread thread()
    {
        return thread;
    }

    boolean isRunning()
    {
        return running;
    }

    String roleName()
    {
        return agent.roleName();
    }
}
