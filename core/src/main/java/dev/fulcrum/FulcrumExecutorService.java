package dev.fulcrum;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * Fulcrum behind the JDK's {@link java.util.concurrent.ExecutorService}: each task is a request of a
 * {@link Balancer} whose task runs it, so it goes to the least-loaded worker (or as the policy says) with every
 * promise of the engine: stalled workers routed around, nothing user code does stops a worker, exactly one run per
 * accepted task. {@link #forKey(long)} gives an ordered executor per key: one key's tasks run one at a time, in
 * submission order, balanced with everything else.
 * <pre>{@code
 * ExecutorService fulcrum = FulcrumExecutorService.create(b -> b.workers(4));
 * CompletableFuture<Quote> quote = CompletableFuture.supplyAsync(() -> price(order), fulcrum);
 * Executor account = ((FulcrumExecutorService)fulcrum).forKey(accountId); // in order, per account
 * }</pre>
 * Exactly once, in the JDK's terms: every accepted task runs once, or is returned once by {@link #shutdownNow()},
 * never both and never neither (a task is taken back only if its worker has not claimed it). {@code execute}
 * allocates nothing of its own; {@code submit} allocates its future.
 * <p>
 * Full means the ring is full; what then happens is the {@link RejectionPolicy}. A task that throws from
 * {@code execute} goes to the uncaught-exception handler of the worker's thread (the default handler when set),
 * and the worker goes on; from {@code submit}, to its future. When the engine answers an {@code execute} task
 * instead of running it (a key's backlog full while its worker is stalled, or a deadline close of the balancer
 * underneath) the task is not run: a {@link RejectedExecutionException} naming it, caused by the
 * {@link EngineException}, goes to the handler of the thread that decided it (a {@code submit} task's future
 * fails instead). {@code shutdown()}, {@code shutdownNow()} and {@code close()} never do this: they run or
 * return every task. From inside a task, {@code shutdown()} is fine, while
 * {@code shutdownNow()}, {@code awaitTermination} and {@code close()} are refused with
 * {@link IllegalStateException}: they would wait for the task itself.
 */
public final class FulcrumExecutorService extends AbstractExecutorService implements AutoCloseable
{
    private static final Task<Runnable, Object> RUN = runnable ->
    {
        runnable.run();
        return null;
    };

    /**
     * What {@code execute} does when the ring is full, after ThreadPoolExecutor's policies.
     */
    public enum RejectionPolicy
    {
        /** Throw {@link RejectedExecutionException} (the JDK's default). */
        ABORT,
        /** Run the task on the calling thread (refused for {@link #forKey(long)}: it would break the key's order). */
        CALLER_RUNS,
        /** Wait for room (refused with {@link RejectedExecutionException} on an engine thread, where it would
         * wait for itself). */
        WAIT
    }

    private final Balancer<Runnable, Object> balancer;
    private final RejectionPolicy rejection;
    private final Reply<Runnable, Object> reply = new Reply<>()
    {
        @Override
        public void onResult(final Runnable request, final Object result)
        {
        }

        @Override
        public void onError(final Runnable request, final Throwable error)
        {
            if (request instanceof TaskFuture)
            {
                ((TaskFuture<?>)request).fail(error); // an engine error: the task never ran
                return;
            }
            final Thread thread = Thread.currentThread();
            final Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            handler.uncaughtException(thread, error instanceof EngineException ?
                new RejectedExecutionException("task not run, answered by the engine instead: " + request, error) :
                error);
        }
    };
    private volatile Thread closer;

    private FulcrumExecutorService(final Balancer<Runnable, Object> balancer, final RejectionPolicy rejection)
    {
        this.balancer = balancer;
        this.rejection = rejection;
    }

    /**
     * @param settings applied to a {@link BalancerBuilder} (workers, policy, threading mode, ...); its task is the
     *                 executor's own.
     * @return an executor that aborts when full.
     */
    public static FulcrumExecutorService create(final UnaryOperator<BalancerBuilder<Runnable, Object>> settings)
    {
        return create(settings, RejectionPolicy.ABORT);
    }

    /**
     * @param settings  applied to a {@link BalancerBuilder}.
     * @param rejection what {@code execute} does when full.
     * @return a running executor.
     */
    public static FulcrumExecutorService create(
        final UnaryOperator<BalancerBuilder<Runnable, Object>> settings, final RejectionPolicy rejection)
    {
        Balancer.requireNonNull(settings, "settings");
        Balancer.requireNonNull(rejection, "rejection");
        return new FulcrumExecutorService(settings.apply(Balancer.builder(RUN)).build(), rejection);
    }

    /**
     * @return the balancer underneath: its stats, its pool ({@code addWorker}, {@code removeWorker}).
     */
    public Balancer<Runnable, Object> balancer()
    {
        return balancer;
    }

    @Override
    public void execute(final Runnable command)
    {
        Balancer.requireNonNull(command, "command");
        submitTo(0, false, command, rejection);
    }

    /**
     * An executor whose tasks run one at a time, in submission order, on whichever worker the key is sticky to
     * while it has tasks in flight (and where the policy says when it has none). Cheap: a small object per call,
     * holding only the key; the engine's key table is bounded by the work in flight, not by the keys ever seen.
     *
     * @param key account, instrument, session: any long.
     * @return the key's ordered executor; rejects as this executor does, except that caller-runs is refused.
     */
    public Executor forKey(final long key)
    {
        if (RejectionPolicy.CALLER_RUNS == rejection)
        {
            throw new IllegalStateException("forKey needs ABORT or WAIT: CALLER_RUNS would run a key's task out of " +
                "order: rejection=" + rejection);
        }
        return command ->
        {
            Balancer.requireNonNull(command, "command");
            submitTo(key, true, command, rejection);
        };
    }

    private void submitTo(final long key, final boolean keyed, final Runnable command, final RejectionPolicy policy)
    {
        try
        {
            if (RejectionPolicy.WAIT == policy)
            {
                if (keyed)
                {
                    balancer.submit(key, command, reply);
                }
                else
                {
                    balancer.submit(command, reply);
                }
                return;
            }
            final boolean accepted = keyed ? balancer.trySubmit(key, command, reply) : balancer.trySubmit(command, reply);
            if (!accepted)
            {
                if (RejectionPolicy.CALLER_RUNS == policy)
                {
                    command.run();
                    return;
                }
                throw new RejectedExecutionException("full: the balancer's ring has no room (rejection=ABORT)");
            }
        }
        catch (final IllegalStateException | SubmitInterruptedException ex)
        {
            throw new RejectedExecutionException(ex.getMessage(), ex);
        }
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Runnable runnable, final T value)
    {
        return new TaskFuture<>(runnable, value);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(final Callable<T> callable)
    {
        return new TaskFuture<>(callable);
    }

    /**
     * Refuse new tasks and let those accepted run; returns at once (a daemon thread closes the balancer).
     */
    @Override
    public synchronized void shutdown()
    {
        if (null == closer && !balancer.isClosed())
        {
            balancer.refuseNewWork(); // new tasks are refused once shutdown() returns
            final Thread t = new Thread(balancer::close, "fulcrum-executor-shutdown");
            t.setDaemon(true);
            closer = t;
            t.start();
        }
    }

    /**
     * Refuse new tasks, take back every accepted task that has not started, and interrupt those running.
     *
     * @return the tasks that had not started (for {@code submit}, their futures), each exactly once; none of them
     * will run.
     */
    @Override
    public List<Runnable> shutdownNow()
    {
        refuseOnEngineThread("shutdownNow");
        return new ArrayList<>(balancer.closeNow());
    }

    private void refuseOnEngineThread(final String call)
    {
        if (balancer.onEngineThread())
        {
            throw new IllegalStateException(call + "() called from a task on engine thread " +
                Thread.currentThread().getName() + ": it would wait for itself (shutdown() from a task is fine)");
        }
    }

    @Override
    public boolean isShutdown()
    {
        return balancer.isClosed();
    }

    @Override
    public boolean isTerminated()
    {
        return balancer.isTerminated();
    }

    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        refuseOnEngineThread("awaitTermination");
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated())
        {
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, 100_000));
        }
        return true;
    }

    /**
     * As JDK 19's {@code ExecutorService.close()}: shut down and wait for termination; if interrupted while
     * waiting, stop now ({@link #shutdownNow()}) and keep waiting, then restore the interrupt.
     */
    @Override
    public void close()
    {
        refuseOnEngineThread("close");
        boolean interrupted = false;
        shutdown();
        while (!isTerminated())
        {
            try
            {
                awaitTermination(1, TimeUnit.DAYS);
            }
            catch (final InterruptedException ex)
            {
                if (!interrupted)
                {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
