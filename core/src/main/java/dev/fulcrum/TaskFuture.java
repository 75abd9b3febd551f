package dev.fulcrum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The future of one {@link FulcrumExecutorService#submit} task: a {@link RunnableFuture} whose state machine is
 * one compare-and-set per transition, like the engine's jobs:
 * <pre>
 *   NEW --run--&gt; RUNNING --returns/throws--&gt; DONE
 *    |              |
 *    | cancel       | cancel(true): INTERRUPTING --(interrupt sent)--&gt; CANCELLED
 *    v              v cancel(false)
 *  CANCELLED      CANCELLED (the task runs on; its result is dropped)
 * </pre>
 * The interrupt of {@code cancel(true)} is aimed at this task alone: it is sent only while the task runs, and
 * {@link #run()} does not return before it has been sent, then clears it, so the worker's next task never sees it.
 *
 * @param <T> result type.
 */
final class TaskFuture<T> implements RunnableFuture<T>
{
    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(TaskFuture.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int DONE = 3;
    private static final int CANCELLED = 4;

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private final Callable<T> callable;
    private final Runnable runnable;
    private final T value;
    private volatile Thread runner;
    private volatile Thread waiter;
    private volatile boolean interruptSent;
    private T result;
    private Throwable failure;

    TaskFuture(final Callable<T> callable)
    {
        this.callable = callable;
        this.runnable = null;
        this.value = null;
    }

    /**
     * {@code submit(runnable, value)}: no adapter object beside the future.
     */
    TaskFuture(final Runnable runnable, final T value)
    {
        this.callable = null;
        this.runnable = runnable;
        this.value = value;
    }

    private int state()
    {
        return (int)STATE.getVolatile(this);
    }

    private boolean cas(final int expected, final int next)
    {
        return STATE.compareAndSet(this, expected, next);
    }

    private void setState(final int next)
    {
        STATE.setVolatile(this, next);
    }

    @Override
    public void run()
    {
        runner = Thread.currentThread(); // before the state: a canceller that sees RUNNING sees the runner
        if (!cas(NEW, RUNNING))
        {
            runner = null;
            return; // cancelled before it started
        }
        T outcome = null;
        Throwable thrown = null;
        try
        {
            if (null != callable)
            {
                outcome = callable.call();
            }
            else
            {
                runnable.run();
                outcome = value;
            }
        }
        catch (final Throwable t)
        {
            thrown = t;
        }
        result = outcome; // before the state: whoever sees DONE sees these (a cancelled future never reports them)
        failure = thrown;
        if (cas(RUNNING, DONE))
        {
            runner = null;
        }
        else
        {
            while (INTERRUPTING == state())
            {
                Thread.onSpinWait(); // a cancel(true) is between its two steps: wait for its interrupt
            }
            if (interruptSent)
            {
                Thread.interrupted(); // the interrupt was this task's; the worker's next task must not see it
            }
        }
        runner = null;
        wake();
    }

    /**
     * The engine answered instead of running the task (a deadline close, a key's backlog full).
     */
    void fail(final Throwable engineError)
    {
        failure = engineError; // the task never reached a worker, so run() cannot race this write
        if (cas(NEW, DONE))
        {
            wake();
        }
    }

    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        if (cas(NEW, CANCELLED))
        {
            wake();
            return true;
        }
        if (mayInterruptIfRunning)
        {
            if (cas(RUNNING, INTERRUPTING))
            {
                final Thread t = runner;
                if (null != t)
                {
                    interruptSent = true;
                    t.interrupt();
                }
                setState(CANCELLED);
                wake();
                return true;
            }
        }
        else if (cas(RUNNING, CANCELLED))
        {
            wake();
            return true;
        }
        return false;
    }

    @Override
    public boolean isCancelled()
    {
        final int s = state();
        return CANCELLED == s || INTERRUPTING == s;
    }

    @Override
    public boolean isDone()
    {
        final int s = state();
        return DONE == s || CANCELLED == s || INTERRUPTING == s;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException
    {
        while (!isDone())
        {
            park(0);
        }
        return report();
    }

    @Override
    public T get(final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isDone())
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new TimeoutException("task not done within " + timeout + " " + unit);
            }
            park(left);
        }
        return report();
    }

    private void park(final long nanos) throws InterruptedException
    {
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        waiter = Thread.currentThread(); // one waiter is woken promptly; others re-check every 50 us
        if (!isDone())
        {
            LockSupport.parkNanos(this, 0 == nanos ? 50_000 : Math.min(nanos, 50_000));
        }
    }

    private void wake()
    {
        final Thread w = waiter;
        if (null != w)
        {
            LockSupport.unpark(w);
        }
    }

    private T report() throws ExecutionException
    {
        if (isCancelled())
        {
            throw new CancellationException("task was cancelled");
        }
        final Throwable t = failure;
        if (null != t)
        {
            throw new ExecutionException(t);
        }
        return result;
    }

    @Override
    public String toString()
    {
        return "TaskFuture{" + (null != callable ? callable : runnable) + ", state=" + state() + "}";
    }
}
