package dev.fulcrum;

import org.agrona.concurrent.AgentInvoker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An in-process load balancer: requester threads submit requests, one balancer hands each to the least-loaded
 * (or, by {@link Policy}, otherwise chosen) worker thread, and each result goes straight back to the requester's
 * {@link Reply}.
 * <pre>
 *  requesters --claim/publish--&gt; Disruptor ring --poll--&gt; balancer (policy, pending counts, key table)
 *                                                            |  one SPSC queue per worker (bounded)
 *                                                            v
 *  Reply.onResult/onError  &lt;--------- worker: Task.execute(request)
 *                                                            |  one SPSC completion queue per worker
 *                                                            v
 *                                                       balancer: pending--, recycle the job
 * </pre>
 * Threading: {@code submit}, {@code trySubmit}, {@code stats} and {@code close} may be called from any thread
 * (from one thread only with {@link BalancerBuilder#singleProducer()}). Replies are called on worker threads,
 * except engine errors ({@link EngineException}), which are called on the thread that decided them (the balancer's,
 * the watchdog's, or a closing thread). Nothing on the callback path allocates: the ring's slots and the balancer's
 * jobs are preallocated and reused.
 * <p>
 * Backpressure is bounded at every link: a worker holds at most {@code maxPendingPerWorker} requests; when every
 * worker is full the balancer stops taking from the ring (but keeps draining completions); when the ring is full
 * {@link #submit(Object, Reply)} waits and {@link #trySubmit(Object, Reply)} returns false.
 * <p>
 * Liveness: a task that runs past the stall threshold takes its worker out of rotation and the work queued behind
 * it moves to the other workers ({@link BalancerBuilder#stallThreshold(Duration)}); nothing a task or a reply does
 * (throw, block, leave the interrupt flag set, call back into the balancer) stops an engine thread; and
 * {@link #close(Duration)} returns by its deadline whatever the tasks do.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class Balancer<Q, R> implements AutoCloseable
{
    private final Ingress ingress;
    private final Engine engine;
    private final String policyName;
    private final int ringSize;
    private final BatchSubmit batches;

    Balancer(final EngineSettings settings)
    {
        ringSize = settings.ringSize;
        policyName = settings.policy.name();
        ingress = new Ingress(ringSize, settings.singleProducer, settings.latencyHistograms,
            settings.latencySampling);
        engine = new Engine(settings, ingress);
        batches = new BatchSubmit(ingress, ringSize);
    }

    /**
     * Start building a balancer for {@code task}.
     *
     * @param task what the workers run; shared by all workers, so it must be thread-safe.
     * @param <Q>  request type.
     * @param <R>  result type.
     * @return a builder with the defaults of {@link BalancerBuilder}.
     * @throws NullPointerException when {@code task} is null.
     */
    public static <Q, R> BalancerBuilder<Q, R> builder(final Task<Q, R> task)
    {
        return new BalancerBuilder<>(requireNonNull(task, "task"));
    }

    /**
     * Submit a request, waiting (spin, then yield, then park) while the ring is full.
     *
     * @param request to run; not null.
     * @param reply   to call with the outcome, once; not null.
     * @throws IllegalStateException       when the balancer is closed (before or while waiting), or when called on
     *                                     an engine thread (from a {@link Task} or a {@link Reply}) while the ring
     *                                     is full, where it would wait for its own progress: the request was not
     *                                     accepted and its reply will not be called.
     * @throws SubmitInterruptedException when the thread is interrupted while waiting (the flag is set again): the
     *                                     request was not accepted.
     */
    public void submit(final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        ingress.publish(claimWaiting(), request, reply, 0, RequestEvent.UNKEYED);
    }

    /**
     * Submit a request if the ring has room now; never waits.
     *
     * @param request to run; not null.
     * @param reply   to call with the outcome, once; not null.
     * @return true when accepted (the reply will be called), false when the ring is full (it will not).
     * @throws IllegalStateException when the balancer is closed.
     */
    public boolean trySubmit(final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = ingress.claim(1, 0);
        if (sequence < 0)
        {
            engine.counters.refused();
            return false;
        }
        ingress.publish(sequence, request, reply, 0, RequestEvent.UNKEYED);
        return true;
    }

    /**
     * Submit a request, waiting at most {@code timeout} while the ring is full, as
     * {@link java.util.concurrent.BlockingQueue#offer(Object, long, TimeUnit)} does.
     *
     * @param request to run; not null.
     * @param reply   to call with the outcome, once; not null.
     * @param timeout how long to wait for room; 0 or less does not wait.
     * @param unit    of {@code timeout}; not null.
     * @return true when accepted, false when the ring stayed full for the whole timeout.
     * @throws InterruptedException  when interrupted while waiting (the request was not accepted).
     * @throws IllegalStateException when the balancer is closed, or on an engine thread with the ring full.
     */
    public boolean trySubmit(
        final Q request, final Reply<? super Q, ? super R> reply, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        checkRequest(request, reply);
        requireNonNull(unit, "unit");
        final long sequence = ingress.claim(1, Math.max(0, unit.toNanos(timeout)));
        if (Ingress.INTERRUPTED == sequence)
        {
            throw new InterruptedException("interrupted while waiting for room in the ring: request not accepted");
        }
        if (sequence < 0)
        {
            engine.counters.refused();
            return false;
        }
        ingress.publish(sequence, request, reply, 0, RequestEvent.UNKEYED);
        return true;
    }

    /**
     * Submit a request whose order matters among those with the same key: requests with one key run one at a
     * time, in the order they were submitted, on the worker that has the key's first request in flight; a key with
     * nothing in flight goes where the policy says. Waits while the ring is full, as
     * {@link #submit(Object, Reply)} does. A key may have at most {@link BalancerBuilder#maxParkedPerKey(int)}
     * requests parked behind its worker; past that, the request is answered with {@link KeyBacklogFullException}.
     *
     * @param key     instrument, account, sensor: any long.
     * @param request to run; not null.
     * @param reply   to call with the outcome, once; not null.
     * @throws IllegalStateException       as for {@link #submit(Object, Reply)}.
     * @throws SubmitInterruptedException as for {@link #submit(Object, Reply)}.
     */
    public void submit(final long key, final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        ingress.publish(claimWaiting(), request, reply, key, RequestEvent.KEYED);
    }

    /**
     * Keyed {@link #trySubmit(Object, Reply)}: see {@link #submit(long, Object, Reply)}.
     *
     * @param key     instrument, account, sensor: any long.
     * @param request to run; not null.
     * @param reply   to call with the outcome, once; not null.
     * @return true when accepted, false when the ring is full.
     * @throws IllegalStateException when the balancer is closed.
     */
    public boolean trySubmit(final long key, final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = ingress.claim(1, 0);
        if (sequence < 0)
        {
            engine.counters.refused();
            return false;
        }
        ingress.publish(sequence, request, reply, key, RequestEvent.KEYED);
        return true;
    }

    /**
     * Submit a batch all or nothing: either the ring takes every request now (one claim of {@code size} slots) and
     * each gets its reply, or it takes none and this returns false. Never waits. The list is read once, before
     * anything is claimed: whatever it does (throws, changes, holds a null), no slot is left claimed and no task
     * sees a null.
     *
     * @param requests to run, none null; at least 1 and at most the ring size.
     * @param reply    to call once per request.
     * @return true when all were accepted, false when the ring has no room for all of them now.
     * @throws IllegalArgumentException when the batch is empty or larger than the ring.
     * @throws NullPointerException     naming the first null element.
     * @throws IllegalStateException    when the balancer is closed.
     */
    public boolean trySubmitAll(final List<? extends Q> requests, final Reply<? super Q, ? super R> reply)
    {
        if (!batches.trySubmitAll(requests, reply))
        {
            engine.counters.refused();
            return false;
        }
        return true;
    }

    /**
     * Submit a request and get its result as a future. Convenient, but allocates the future (and whatever its
     * dependents allocate) per call; the {@link Reply} form allocates nothing.
     *
     * @param request to run; not null.
     * @return completed with the result, or exceptionally with what the task threw (or an {@link EngineException}).
     * @throws IllegalStateException       when the balancer is closed.
     * @throws SubmitInterruptedException as for {@link #submit(Object, Reply)}.
     */
    public CompletableFuture<R> submit(final Q request)
    {
        final FutureReply<Q, R> future = new FutureReply<>();
        submit(request, future);
        return future;
    }

    /**
     * @return a snapshot of the counters (see {@link BalancerStats}: it catches up with the engine, it does not
     * stop it); allocates, never blocks the engine.
     */
    public BalancerStats stats()
    {
        return new BalancerStats(
            engine.counters, engine.latency, engine.balancerAgent.dispatcher, engine.balancerAgent.binding);
    }

    /**
     * @return the name of the policy the balancer was built with.
     */
    public String policyName()
    {
        return policyName;
    }

    /**
     * @return how many workers the balancer runs now (added ones in, leaving ones out).
     */
    public int workers()
    {
        return engine.pool.running();
    }

    /**
     * @return the most workers the pool may grow to ({@link BalancerBuilder#maxWorkers(int)}); worker indexes are
     * {@code 0..maxWorkers()-1}.
     */
    public int maxWorkers()
    {
        return engine.pool.maxWorkers();
    }

    /**
     * Add a worker, from any thread: its thread starts here, and the balancer puts it in rotation at the top of its
     * next duty cycle. A slot freed by a removal is reused (lowest index first), with a new generation.
     *
     * @return the new worker's index.
     * @throws IllegalStateException when the pool is at {@code maxWorkers} or the balancer is closed.
     */
    public int addWorker()
    {
        return engine.pool.add(null);
    }

    /**
     * Add a remote worker, from any thread: a worker whose requests run at the far end of {@code link}, in another
     * process or on another host. It gets an engine thread of its own, which sends the requests dispatched to it,
     * takes their results from the link and replies on that thread; to the policy it is a worker like the others
     * (its pending count, {@link BalancerBuilder#maxPendingPerWorker(int)}, keys sticky while busy). When the link
     * is lost the worker leaves the pool by itself: see {@link WorkerLink} for what happens to its requests.
     * {@link #removeWorker(int)} removes it as any worker; its link is closed when its thread ends.
     *
     * @param link the transport to the far end; used by the new worker's thread only from now on.
     * @return the new worker's index.
     * @throws NullPointerException  when {@code link} is null.
     * @throws IllegalStateException when the pool is at {@code maxWorkers} or the balancer is closed.
     */
    public int addWorker(final WorkerLink<? super Q, ? extends R> link)
    {
        return engine.pool.add(requireNonNull(link, "link"));
    }

    /**
     * Remove a worker, from any thread: the balancer chooses it no more at once; what it has not started moves to
     * the other workers; what it runs finishes there and is replied to; a key with a request running there stays
     * until that request completes (its later requests wait, bounded as parking is) and then moves. Once the worker
     * holds nothing its thread stops and the future completes, on a thread of the common pool, never an engine
     * thread. Worker 0 cannot be removed in {@link ThreadingMode#SHARED} (its thread runs the balancer).
     *
     * @param worker index of a running worker.
     * @return completed once the worker is gone (or when the balancer closed first).
     * @throws IllegalArgumentException when {@code worker} is out of range.
     * @throws IllegalStateException    when the worker is not running, is SHARED mode's worker 0, is the last one,
     *                                  or the balancer is closed.
     */
    public CompletableFuture<Void> removeWorker(final int worker)
    {
        return engine.pool.remove(worker);
    }

    /**
     * @return true once {@link #close()} or {@link #close(Duration)} has begun: new work is refused.
     */
    public boolean isClosed()
    {
        return ingress.isClosed();
    }

    /**
     * The balancer's duty cycle, for {@link ThreadingMode#INVOKER}: call {@code invoke()} from one thread, in the
     * application's own loop; each call drains completions and dispatches what the workers have room for, and
     * returns how much it did. Do not make a waiting {@code submit} on that thread while the ring may be full: it
     * would wait for the loop it stops.
     *
     * @return the invoker, already started.
     * @throws IllegalStateException when the mode is not {@link ThreadingMode#INVOKER}.
     */
    public AgentInvoker invoker()
    {
        final AgentInvoker invoker = engine.balancerInvoker();
        if (null == invoker)
        {
            throw new IllegalStateException(
                "invoker() needs ThreadingMode.INVOKER: threadingMode=" + engine.threadingMode());
        }
        return invoker;
    }

    /**
     * Graceful, idempotent shutdown: refuse new work, run every accepted request, deliver every reply, then stop
     * and join the engine's threads. A submit racing this call is either accepted and replied to, or refused with
     * {@link IllegalStateException}; never accepted and lost. Waits for running tasks, however long they take (use
     * {@link #close(Duration)} for a bound). Safe from any thread but the engine's own, and from several at once;
     * in {@link ThreadingMode#INVOKER} the closing thread runs the balancer's duty cycle itself while it waits.
     *
     * @throws IllegalStateException when called on one of the engine's own threads (from a {@link Reply} or a
     *                               {@link Task}), where it would wait for itself.
     */
    @Override
    public void close()
    {
        engine.refuseOnEngineThread();
        engine.close(ingress.close(), Ingress.WAIT_FOREVER);
    }

    /**
     * Shutdown with a deadline: refuse new work and wait up to {@code timeout} for every accepted request to be
     * replied to. If the deadline passes first, every accepted request without a reply gets exactly one
     * {@code onError}, on this thread: {@link ClosedBeforeRunException} if it had not started,
     * {@link AbandonedByCloseException} if it was running (its late result is dropped). Then the engine's threads
     * are interrupted and this returns without waiting for any still in user code (they are daemon threads with the
     * default thread factory, so they cannot keep the JVM alive). An interrupt of the closing thread does not cut
     * the wait short; its flag is kept.
     *
     * @param timeout how long to wait; zero answers everything not yet replied to at once.
     * @return true when everything drained in time (every reply delivered; a thread still in an end-of-batch hook
     * at the deadline is not waited for), false when the deadline answered what was left.
     * @throws IllegalStateException when called on one of the engine's own threads.
     */
    public boolean close(final Duration timeout)
    {
        requireNonNull(timeout, "timeout");
        final long timeoutNs = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        engine.refuseOnEngineThread();
        return engine.close(ingress.close(), timeoutNs);
    }

    /**
     * Stop now, the way {@link java.util.concurrent.ExecutorService#shutdownNow()} does: refuse new work, take back
     * every accepted request that has not started (from the ring, the balancer, and the workers' queues: each is
     * revoked before its worker can claim it, so none of them runs and none is replied to), and interrupt the
     * requests that are running (the interrupt is aimed at them: a worker clears it when they return). Those finish,
     * are replied to, and then their threads end. Idempotent: later calls, and calls after a close, return nothing.
     *
     * @return the requests that had not started and will never be replied to, in no promised order.
     * @throws IllegalStateException when called on one of the engine's own threads.
     */
    @SuppressWarnings("unchecked")
    public List<Q> closeNow()
    {
        engine.refuseOnEngineThread();
        return (List<Q>)(List<?>)engine.closeNow(ingress.close());
    }

    /**
     * @return true once the balancer has been closed and every one of its threads has ended.
     */
    public boolean isTerminated()
    {
        return engine.threadsEnded();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // package-private hooks for deterministic tests

    AgentInvoker workerInvoker(final int worker)
    {
        return engine.workerInvoker(worker);
    }

    RemoteWorkerAgent remoteAgent(final int worker)
    {
        return engine.remoteAgent(worker);
    }

    AgentInvoker watchdogInvoker()
    {
        return engine.watchdogInvoker();
    }

    BalancerAgent balancerAgent()
    {
        return engine.balancerAgent;
    }

    LatencyIntervals latencyIntervals()
    {
        return engine.latency;
    }

    /**
     * Refuse new work from now on (the first step of a close, alone): for a close that another thread completes.
     */
    void refuseNewWork()
    {
        ingress.close();
    }

    boolean onEngineThread()
    {
        return engine.isEngineThread(Thread.currentThread());
    }

    Counters counters()
    {
        return engine.counters;
    }

    int coreBoundWorkers()
    {
        return engine.coreBoundWorkers();
    }

    ThreadingMode threadingMode()
    {
        return engine.threadingMode();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private long claimWaiting()
    {
        final long sequence = ingress.claim(1, Ingress.WAIT_FOREVER);
        if (Ingress.INTERRUPTED == sequence)
        {
            Thread.currentThread().interrupt();
            throw new SubmitInterruptedException(
                "interrupted while waiting for room in the ring: request not accepted, its reply will not be called");
        }
        return sequence;
    }

    private static long saturatedNanos(final Duration timeout)
    {
        try
        {
            return Math.min(Ingress.WAIT_FOREVER - 1, timeout.toNanos());
        }
        catch (final ArithmeticException ex)
        {
            return Ingress.WAIT_FOREVER - 1;
        }
    }

    private static void checkRequest(final Object request, final Reply<?, ?> reply)
    {
        requireNonNull(request, "request");
        requireNonNull(reply, "reply");
    }

    static <T> T requireNonNull(final T value, final String name)
    {
        // no message supplier: a capturing lambda would allocate on every submit until C2 removes it
        if (null == value)
        {
            throw new NullPointerException(name + " must not be null: " + name + "=null");
        }
        return value;
    }
}
