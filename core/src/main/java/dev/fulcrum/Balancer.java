package dev.fulcrum;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * An in-process load balancer: requester threads submit requests, one balancer hands each to the least-loaded
 * (or, by {@link Policy}, otherwise chosen) worker thread, and each result goes straight back to the requester's
 * {@link Reply}.
 * <pre>
 *  requesters --claim/publish--&gt; Disruptor ring --poll--&gt; balancer (policy, pending counts, key table)
 *                                                            |  one SPSC queue per worker (bounded)
 *                                                            v
 *  Reply.onResult/onError  &lt;--------- worker: Task.execute(request)
 *                                                            |  MPSC completion queue (bounded)
 *                                                            v
 *                                                       balancer: pending--, recycle the job
 * </pre>
 * Threading: {@code submit}, {@code trySubmit}, {@code stats} and {@code close} may be called from any thread
 * (from one thread only with {@link Builder#singleProducer()}). Replies are called on worker threads. Nothing on the
 * callback path allocates: the ring's slots and the balancer's jobs are preallocated and reused.
 * <p>
 * Backpressure is bounded at every link: a worker holds at most {@code maxPendingPerWorker} requests; when every
 * worker is full the balancer stops taking from the ring (but keeps draining completions); when the ring is full
 * {@link #submit(Object, Reply)} waits and {@link #trySubmit(Object, Reply)} returns false.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class Balancer<Q, R> implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Balancer.class.getName());
    private static final VarHandle LAST_CLAIMED;

    static
    {
        try
        {
            LAST_CLAIMED = MethodHandles.lookup().findVarHandle(Balancer.class, "lastClaimed", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer<RequestEvent> ring;
    private final boolean singleProducer;
    private final BalancerAgent balancerAgent;
    private final WorkerAgent[] workerAgents;
    private final Counters counters;
    private final ThreadingMode threadingMode;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final AgentInvoker balancerInvoker;
    private final AgentInvoker[] workerInvokers;
    private final String policyName;
    private final int ringSize;

    private volatile boolean closed;
    /** Highest sequence claimed in single-producer mode, where the ring's cursor moves only on publish. */
    @SuppressWarnings("unused")
    private volatile long lastClaimed = -1;
    private boolean shutDown;
    private int spinningThreads;

    @SuppressWarnings({"unchecked", "rawtypes"}) // one generic array of worker queues
    private Balancer(final Builder<Q, R> builder)
    {
        final int workers = builder.workers;
        final int maxPending = builder.maxPendingPerWorker;
        final ErrorHandler errorHandler = builder.errorHandler;
        threadingMode = builder.threadingMode;
        singleProducer = builder.singleProducer;
        ringSize = builder.ringSize;
        policyName = builder.policy.name();

        ring = singleProducer ?
            RingBuffer.createSingleProducer(RequestEvent::new, ringSize, new BusySpinWaitStrategy()) :
            RingBuffer.createMultiProducer(RequestEvent::new, ringSize, new BusySpinWaitStrategy());
        final Sequence consumed = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
        ring.addGatingSequences(consumed);

        final Dispatcher dispatcher = builder.policy.newDispatcher(workers, maxPending);
        final int poolSize = BalancerAgent.poolSize(workers, dispatcher.maxPending, builder.maxParked());
        final MpscVarHandleArrayQueue<Job> completions = new MpscVarHandleArrayQueue<>(poolSize);
        final SpscVarHandleArrayQueue<Job>[] queues = new SpscVarHandleArrayQueue[workers];
        counters = new Counters(workers);
        workerAgents = new WorkerAgent[workers];
        for (int w = 0; w < workers; w++)
        {
            queues[w] = new SpscVarHandleArrayQueue<>(builder.workerQueueCapacity());
            workerAgents[w] = new WorkerAgent(
                w, queues[w], completions, (Task<Object, Object>)builder.task, errorHandler, counters,
                builder.workerQueueCapacity());
        }
        balancerAgent = new BalancerAgent(ring, consumed, completions, queues, dispatcher, counters, builder.maxParked());

        final int[] cpus = builder.pinCpus;
        final AtomicBoolean pinningReported = new AtomicBoolean();
        if (builder.manualWorkers)
        {
            workerInvokers = new AgentInvoker[workers];
            for (int w = 0; w < workers; w++)
            {
                workerInvokers[w] = new AgentInvoker(errorHandler, null, workerAgents[w]);
                workerInvokers[w].start();
            }
        }
        else
        {
            workerInvokers = null;
        }

        balancerInvoker = ThreadingMode.INVOKER == threadingMode ?
            new AgentInvoker(errorHandler, null, balancerAgent) : null;
        try
        {
            switch (threadingMode)
            {
                case DEDICATED:
                    startWorkers(builder, 0, cpus, 1, pinningReported);
                    start(builder, balancerAgent, builder.balancerIdleStrategy.get(), cpu(cpus, 0), pinningReported);
                    break;

                case SHARED:
                    startWorkers(builder, 1, cpus, 1, pinningReported);
                    final Agent composite = new CompositeAgent(balancerAgent, workerAgents[0])
                    {
                        public String roleName()
                        {
                            return "fulcrum-balancer+worker-0";
                        }
                    };
                    start(builder, composite, builder.workerIdleStrategy.get(), cpu(cpus, 0), pinningReported);
                    break;

                default:
                    balancerInvoker.start();
                    startWorkers(builder, 0, cpus, 0, pinningReported);
                    break;
            }
        }
        catch (final RuntimeException | Error ex)
        {
            // a thread factory or idle strategy supplier failed: stop what did start, leave no thread behind
            for (final AgentRunner runner : runners)
            {
                runner.close();
            }
            throw ex;
        }

        final int cpuCount = Runtime.getRuntime().availableProcessors();
        if (spinningThreads > cpuCount)
        {
            LOG.log(System.Logger.Level.WARNING,
                "fulcrum: " + spinningThreads + " busy-spinning threads on " + cpuCount + " available processors; " +
                "threads that share a core turn sub-microsecond hand-offs into milliseconds. Use a back-off idle " +
                "strategy, fewer workers, or ThreadingMode.SHARED.");
        }
    }

    /**
     * Start building a balancer for {@code task}.
     *
     * @param task what the workers run; shared by all workers, so it must be thread-safe.
     * @param <Q>  request type.
     * @param <R>  result type.
     * @return a builder with the defaults of {@link Builder}.
     * @throws NullPointerException when {@code task} is null.
     */
    public static <Q, R> Builder<Q, R> builder(final Task<Q, R> task)
    {
        return new Builder<>(requireNonNull(task, "task"));
    }

    /**
     * Submit a request, waiting (spin, then yield, then park) while the ring is full.
     * <p>
     * Do not call this from a {@link Reply} while the ring may be full: the worker would wait for space that only
     * its own progress can make. Use {@link #trySubmit(Object, Reply)} there.
     *
     * @param request to run; not null.
     * @param reply   to call with the outcome, once, on the worker thread; not null.
     * @throws IllegalStateException when the balancer is closed (before or while waiting): the request was not
     *                               accepted and its reply will not be called.
     */
    public void submit(final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = claim(1, true);
        publish(sequence, request, reply, 0, RequestEvent.UNKEYED);
    }

    /**
     * Submit a request if the ring has room now; never waits.
     *
     * @param request to run; not null.
     * @param reply   to call with the outcome, once, on the worker thread; not null.
     * @return true when accepted (the reply will be called), false when the ring is full (it will not).
     * @throws IllegalStateException when the balancer is closed.
     */
    public boolean trySubmit(final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = claim(1, false);
        if (sequence < 0)
        {
            return false;
        }
        publish(sequence, request, reply, 0, RequestEvent.UNKEYED);
        return true;
    }

    /**
     * Submit a request whose order matters among those with the same key: requests with one key run one at a
     * time, in the order they were submitted, on the worker that has the key's first request in flight; a key with
     * nothing in flight goes where the policy says. Waits while the ring is full, as
     * {@link #submit(Object, Reply)} does.
     *
     * @param key     instrument, account, sensor: any long.
     * @param request to run; not null.
     * @param reply   to call with the outcome, once, on the worker thread; not null.
     * @throws IllegalStateException when the balancer is closed.
     */
    public void submit(final long key, final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = claim(1, true);
        publish(sequence, request, reply, key, RequestEvent.KEYED);
    }

    /**
     * Keyed {@link #trySubmit(Object, Reply)}: see {@link #submit(long, Object, Reply)}.
     *
     * @param key     instrument, account, sensor: any long.
     * @param request to run; not null.
     * @param reply   to call with the outcome, once, on the worker thread; not null.
     * @return true when accepted, false when the ring is full.
     * @throws IllegalStateException when the balancer is closed.
     */
    public boolean trySubmit(final long key, final Q request, final Reply<? super Q, ? super R> reply)
    {
        checkRequest(request, reply);
        final long sequence = claim(1, false);
        if (sequence < 0)
        {
            return false;
        }
        publish(sequence, request, reply, key, RequestEvent.KEYED);
        return true;
    }

    /**
     * Submit a batch all or nothing: either the ring takes every request now (one claim of {@code size} slots) and
     * each gets its reply, or it takes none and this returns false. Never waits.
     *
     * @param requests to run, none null; at least 1 and at most the ring size.
     * @param reply    to call once per request.
     * @return true when all were accepted, false when the ring has no room for all of them now.
     * @throws IllegalArgumentException when the batch is empty or larger than the ring.
     * @throws IllegalStateException    when the balancer is closed.
     */
    public boolean trySubmitAll(final List<? extends Q> requests, final Reply<? super Q, ? super R> reply)
    {
        requireNonNull(requests, "requests");
        requireNonNull(reply, "reply");
        final int n = requests.size();
        if (n < 1 || n > ringSize)
        {
            throw new IllegalArgumentException(
                "requests.size() must be in 1.." + ringSize + " (the ring size): requests.size()=" + n);
        }
        for (int i = 0; i < n; i++)
        {
            if (null == requests.get(i))
            {
                throw new NullPointerException("requests[" + i + "] must not be null: requests[" + i + "]=null");
            }
        }
        final long hi = claim(n, false);
        if (hi < 0)
        {
            return false;
        }
        final long lo = hi - n + 1;
        for (int i = 0; i < n; i++)
        {
            fill(ring.get(lo + i), requests.get(i), reply, 0, RequestEvent.UNKEYED);
        }
        ring.publish(lo, hi);
        return true;
    }

    /**
     * Submit a request and get its result as a future. Convenient, but allocates the future (and whatever its
     * dependents allocate) per call; the {@link Reply} form allocates nothing.
     *
     * @param request to run; not null.
     * @return completed on the worker thread with the result, or exceptionally with what the task threw.
     * @throws IllegalStateException when the balancer is closed.
     */
    public CompletableFuture<R> submit(final Q request)
    {
        final FutureReply<Q, R> future = new FutureReply<>();
        submit(request, future);
        return future;
    }

    /**
     * @return a snapshot of per-worker pending, completed and failed counts; allocates, never blocks the engine.
     */
    public BalancerStats stats()
    {
        return new BalancerStats(counters);
    }

    /**
     * @return the name of the policy the balancer was built with.
     */
    public String policyName()
    {
        return policyName;
    }

    /**
     * @return how many workers the balancer runs.
     */
    public int workers()
    {
        return workerAgents.length;
    }

    /**
     * @return true once {@link #close()} has begun: new work is refused.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * The balancer's duty cycle, for {@link ThreadingMode#INVOKER}: call {@code invoke()} from one thread, in the
     * application's own loop; each call drains completions and dispatches what the workers have room for, and
     * returns how much it did.
     *
     * @return the invoker, already started.
     * @throws IllegalStateException when the mode is not {@link ThreadingMode#INVOKER}.
     */
    public AgentInvoker invoker()
    {
        if (null == balancerInvoker)
        {
            throw new IllegalStateException("invoker() needs ThreadingMode.INVOKER: threadingMode=" + threadingMode);
        }
        return balancerInvoker;
    }

    /**
     * Graceful, idempotent shutdown: refuse new work, run every accepted request, deliver every reply, then stop
     * and join the engine's threads. A submit racing this call is either accepted and replied to, or refused with
     * {@link IllegalStateException}; never accepted and lost. Waits for running tasks, however long they take.
     * <p>
     * In {@link ThreadingMode#INVOKER} mode this drives the invoker itself: call it from the thread that calls
     * {@code invoke()}, or after that thread has stopped.
     *
     * @throws IllegalStateException when called on one of the engine's own threads (from a {@link Reply} or a
     *                               {@link Task}), where it would wait for itself.
     */
    @Override
    public synchronized void close()
    {
        if (shutDown)
        {
            return;
        }
        for (final AgentRunner runner : runners)
        {
            if (runner.thread() == Thread.currentThread())
            {
                throw new IllegalStateException(
                    "close() called on engine thread " + Thread.currentThread().getName() + ": it would wait for itself");
            }
        }
        closed = true;
        // Dekker with claim(): a requester writes its claim (cursor CAS, or lastClaimed) and then reads closed; we
        // wrote closed and now read the claims. Volatile accesses are totally ordered, so either the requester sees
        // closed and cancels its slot, or we see its claim here and drain up to it.
        final long target = Math.max(ring.getCursor(), (long)LAST_CLAIMED.getVolatile(this));
        balancerAgent.drainTo(target);

        int idle = 0;
        while (!balancerAgent.isDrained())
        {
            int work = 0;
            if (null != balancerInvoker)
            {
                work += balancerInvoker.invoke();
            }
            if (null != workerInvokers)
            {
                for (final AgentInvoker invoker : workerInvokers)
                {
                    work += invoker.invoke();
                }
            }
            idle = work > 0 ? 0 : backoff(idle);
        }

        for (final AgentRunner runner : runners)
        {
            runner.close();
        }
        if (null != balancerInvoker)
        {
            balancerInvoker.close();
        }
        if (null != workerInvokers)
        {
            for (final AgentInvoker invoker : workerInvokers)
            {
                invoker.close();
            }
        }
        shutDown = true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // package-private hooks for deterministic tests

    AgentInvoker workerInvoker(final int worker)
    {
        if (null == workerInvokers)
        {
            throw new IllegalStateException("workers run on threads; build with manualWorkers() to step them");
        }
        return workerInvokers[worker];
    }

    BalancerAgent balancerAgent()
    {
        return balancerAgent;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Claim {@code n} consecutive slots, then re-check {@code closed} (see {@link #close()}).
     *
     * @return the highest claimed sequence, or -1 when {@code !wait} and the ring is full.
     */
    private long claim(final int n, final boolean wait)
    {
        int idle = 0;
        long hi;
        while (true)
        {
            if (closed)
            {
                throw closedException();
            }
            try
            {
                hi = ring.tryNext(n);
                break;
            }
            catch (final InsufficientCapacityException ex) // a stackless singleton: no allocation
            {
                if (!wait)
                {
                    return -1;
                }
                idle = backoff(idle);
            }
        }

        if (singleProducer)
        {
            LAST_CLAIMED.setVolatile(this, hi); // the cursor CAS plays this part with many producers
        }
        if (closed)
        {
            final long lo = hi - n + 1;
            for (long s = lo; s <= hi; s++)
            {
                final RequestEvent event = ring.get(s);
                event.clear();
                event.kind = RequestEvent.CANCELLED;
            }
            ring.publish(lo, hi);
            throw closedException();
        }
        return hi;
    }

    private void publish(
        final long sequence, final Object request, final Reply<?, ?> reply, final long key, final int kind)
    {
        fill(ring.get(sequence), request, reply, key, kind);
        ring.publish(sequence);
    }

    @SuppressWarnings("unchecked")
    private static void fill(
        final RequestEvent event, final Object request, final Reply<?, ?> reply, final long key, final int kind)
    {
        event.request = request;
        event.reply = (Reply<Object, Object>)reply;
        event.key = key;
        event.kind = kind;
    }

    private static void checkRequest(final Object request, final Reply<?, ?> reply)
    {
        requireNonNull(request, "request");
        requireNonNull(reply, "reply");
    }

    private static <T> T requireNonNull(final T value, final String name)
    {
        // no message supplier: a capturing lambda would allocate on every submit until C2 removes it
        if (null == value)
        {
            throw new NullPointerException(name + " must not be null: " + name + "=null");
        }
        return value;
    }

    private static IllegalStateException closedException()
    {
        return new IllegalStateException("balancer is closed: request refused");
    }

    private static int backoff(final int idle)
    {
        if (idle < 100)
        {
            Thread.onSpinWait();
        }
        else if (idle < 200)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(50_000);
        }
        return idle + 1;
    }

    private static int cpu(final int[] cpus, final int index)
    {
        return null == cpus ? -1 : cpus[index];
    }

    private void startWorkers(
        final Builder<Q, R> builder,
        final int firstWorker,
        final int[] cpus,
        final int firstCpuIndex,
        final AtomicBoolean pinningReported)
    {
        if (builder.manualWorkers)
        {
            return;
        }
        for (int w = firstWorker; w < workerAgents.length; w++)
        {
            start(builder, workerAgents[w], builder.workerIdleStrategy.get(),
                cpu(cpus, firstCpuIndex + w - firstWorker), pinningReported);
        }
    }

    private void start(
        final Builder<Q, R> builder,
        final Agent agent,
        final IdleStrategy idleStrategy,
        final int cpu,
        final AtomicBoolean pinningReported)
    {
        final AgentRunner runner = new AgentRunner(idleStrategy, builder.errorHandler, null, agent);
        final ThreadFactory factory = builder.threadFactory;
        final ThreadFactory pinning = cpu < 0 ? factory : runnable -> factory.newThread(() ->
        {
            final String failure = Pinning.pinCurrentThread(cpu);
            if (null != failure && pinningReported.compareAndSet(false, true))
            {
                LOG.log(System.Logger.Level.WARNING,
                    "fulcrum: could not pin " + agent.roleName() + " to cpu=" + cpu + " (" + failure +
                    "); running unpinned. Further pinning failures of this balancer are not reported.");
            }
            runnable.run();
        });
        runners.add(runner);
        if (spins(idleStrategy))
        {
            spinningThreads++;
        }
        AgentRunner.startOnThread(runner, pinning);
    }

    private static boolean spins(final IdleStrategy idleStrategy)
    {
        return idleStrategy instanceof BusySpinIdleStrategy || idleStrategy instanceof NoOpIdleStrategy;
    }

    private static final class FutureReply<Q, R> extends CompletableFuture<R> implements Reply<Q, R>
    {
        @Override
        public void onResult(final Q request, final R result)
        {
            complete(result);
        }

        @Override
        public void onError(final Q request, final Throwable error)
        {
            completeExceptionally(error);
        }
    }

    /**
     * Settings of a {@link Balancer}. Every setter checks its argument at once and throws
     * {@link IllegalArgumentException} naming the parameter and its value; {@link #build()} checks how they fit
     * together.
     *
     * @param <Q> request type.
     * @param <R> result type.
     */
    public static final class Builder<Q, R>
    {
        /** Smallest ring accepted. */
        public static final int MIN_RING_SIZE = 2;

        private final Task<Q, R> task;
        private int workers = 1;
        private int ringSize = 1024;
        private int maxPendingPerWorker = 16;
        private int workerQueueCapacity = -1;
        private int maxParked = -1;
        private Policy policy = Policy.leastLoaded();
        private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
        private boolean singleProducer;
        private Supplier<IdleStrategy> balancerIdleStrategy = Builder::defaultIdleStrategy;
        private Supplier<IdleStrategy> workerIdleStrategy = Builder::defaultIdleStrategy;
        private int[] pinCpus;
        private ErrorHandler errorHandler = Builder::logError;
        private ThreadFactory threadFactory = Thread::new;
        private boolean manualWorkers;

        private Builder(final Task<Q, R> task)
        {
            this.task = task;
        }

        /**
         * @param workers how many worker threads; at least 1. Default 1.
         * @return this.
         */
        public Builder<Q, R> workers(final int workers)
        {
            if (workers < 1)
            {
                throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * @param ringSize slots of the ingress ring: a power of 2, at least {@link #MIN_RING_SIZE}. Default 1024.
         * @return this.
         */
        public Builder<Q, R> ringSize(final int ringSize)
        {
            if (ringSize < MIN_RING_SIZE || Integer.bitCount(ringSize) != 1)
            {
                throw new IllegalArgumentException(
                    "ringSize must be a power of 2 and >= " + MIN_RING_SIZE + ": ringSize=" + ringSize);
            }
            this.ringSize = ringSize;
            return this;
        }

        /**
         * @param maxPendingPerWorker most requests queued on or running at one worker; at least 1, at most the
         *                            worker queue capacity. Small binds work to workers late (better balance under
         *                            uneven task times); large batches more (more throughput). Default 16.
         * @return this.
         */
        public Builder<Q, R> maxPendingPerWorker(final int maxPendingPerWorker)
        {
            if (maxPendingPerWorker < 1)
            {
                throw new IllegalArgumentException(
                    "maxPendingPerWorker must be >= 1: maxPendingPerWorker=" + maxPendingPerWorker);
            }
            this.maxPendingPerWorker = maxPendingPerWorker;
            return this;
        }

        /**
         * @param workerQueueCapacity slots of each worker's SPSC queue: a power of 2. Default: the smallest power of
         *                            2 that holds {@code maxPendingPerWorker}.
         * @return this.
         */
        public Builder<Q, R> workerQueueCapacity(final int workerQueueCapacity)
        {
            if (workerQueueCapacity < 1 || Integer.bitCount(workerQueueCapacity) != 1)
            {
                throw new IllegalArgumentException(
                    "workerQueueCapacity must be a power of 2: workerQueueCapacity=" + workerQueueCapacity);
            }
            this.workerQueueCapacity = workerQueueCapacity;
            return this;
        }

        /**
         * @param maxParked most keyed requests held by the balancer behind a full worker, all keys together; when
         *                  reached the balancer stops taking from the ring until one is released. At least 1.
         *                  Default {@code workers * maxPendingPerWorker}.
         * @return this.
         */
        public Builder<Q, R> maxParked(final int maxParked)
        {
            if (maxParked < 1)
            {
                throw new IllegalArgumentException("maxParked must be >= 1: maxParked=" + maxParked);
            }
            this.maxParked = maxParked;
            return this;
        }

        /**
         * @param policy how a worker is picked. Default {@link Policy#leastLoaded()}.
         * @return this.
         */
        public Builder<Q, R> policy(final Policy policy)
        {
            this.policy = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param threadingMode which threads run the balancer. Default {@link ThreadingMode#DEDICATED}.
         * @return this.
         */
        public Builder<Q, R> threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = requireNonNull(threadingMode, "threadingMode");
            return this;
        }

        /**
         * Promise that one thread at a time submits (a cheaper claim on the ring). Breaking the promise loses
         * requests, as with the Disruptor's single-producer ring.
         *
         * @return this.
         */
        public Builder<Q, R> singleProducer()
        {
            this.singleProducer = true;
            return this;
        }

        /**
         * @param supplier of the balancer thread's idle strategy (one call, in {@link ThreadingMode#DEDICATED}
         *                 only: in SHARED the balancer runs on worker 0's thread with its idle strategy, in
         *                 INVOKER on the application's). Default back-off: spin 10 times, yield 1,000 times
         *                 (about a millisecond), then park 1 us doubling to 100 us.
         * @return this.
         */
        public Builder<Q, R> balancerIdleStrategy(final Supplier<IdleStrategy> supplier)
        {
            this.balancerIdleStrategy = requireNonNull(supplier, "balancerIdleStrategy");
            return this;
        }

        /**
         * @param supplier of each worker thread's idle strategy (one call per worker thread: strategies keep
         *                 state). Default back-off, as for the balancer.
         * @return this.
         */
        public Builder<Q, R> workerIdleStrategy(final Supplier<IdleStrategy> supplier)
        {
            this.workerIdleStrategy = requireNonNull(supplier, "workerIdleStrategy");
            return this;
        }

        /**
         * Pin each engine thread to a CPU, in this order: the balancer (in {@link ThreadingMode#DEDICATED}), then
         * worker 0, 1, ... (in {@link ThreadingMode#SHARED} worker 0's thread also runs the balancer). Where the OS
         * refuses, the engine runs unpinned and logs so once.
         *
         * @param cpus one per engine thread, each an existing CPU ({@code 0..availableProcessors-1}).
         * @return this.
         */
        public Builder<Q, R> pinCpus(final int... cpus)
        {
            requireNonNull(cpus, "cpus");
            final int available = Runtime.getRuntime().availableProcessors();
            for (final int cpu : cpus)
            {
                if (cpu < 0 || cpu >= available)
                {
                    throw new IllegalArgumentException("pinCpus names a CPU that does not exist: cpu=" + cpu +
                        " (available 0.." + (available - 1) + "), cpus=" + Arrays.toString(cpus));
                }
            }
            this.pinCpus = cpus.clone();
            return this;
        }

        /**
         * @param errorHandler told of every reply that throws and every engine error. Default: logged through
         *                     {@link System.Logger}. Called on engine threads; it should not throw.
         * @return this.
         */
        public Builder<Q, R> errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = requireNonNull(errorHandler, "errorHandler");
            return this;
        }

        /**
         * @param threadFactory makes the engine's threads. Default {@code Thread::new}, named after each agent's
         *                      role ({@code fulcrum-balancer}, {@code fulcrum-worker-0}, ...).
         * @return this.
         */
        public Builder<Q, R> threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * For tests: no worker threads; {@link Balancer#workerInvoker(int)} steps each worker by hand.
         */
        Builder<Q, R> manualWorkers()
        {
            this.manualWorkers = true;
            return this;
        }

        /**
         * Check the settings together, allocate everything the engine will ever use, and start its threads.
         *
         * @return a running balancer.
         * @throws IllegalArgumentException when settings do not fit together.
         */
        public Balancer<Q, R> build()
        {
            if (maxPendingPerWorker > workerQueueCapacity())
            {
                throw new IllegalArgumentException(
                    "maxPendingPerWorker must be <= workerQueueCapacity: maxPendingPerWorker=" +
                    maxPendingPerWorker + ", workerQueueCapacity=" + workerQueueCapacity);
            }
            if (null != pinCpus)
            {
                final int threads = workers + (ThreadingMode.DEDICATED == threadingMode ? 1 : 0);
                if (pinCpus.length != threads)
                {
                    throw new IllegalArgumentException("pinCpus needs one CPU per engine thread: threads=" + threads +
                        " (" + threadingMode + ", workers=" + workers + "), cpus=" + Arrays.toString(pinCpus));
                }
            }
            return new Balancer<>(this);
        }

        int workerQueueCapacity()
        {
            if (workerQueueCapacity > 0)
            {
                return workerQueueCapacity;
            }
            return Math.max(2, Integer.highestOneBit(maxPendingPerWorker - 1) << 1);
        }

        int maxParked()
        {
            return maxParked > 0 ? maxParked : workers * maxPendingPerWorker;
        }

        /**
         * Spin briefly, then yield long before parking. On a 2-core machine a park costs about 80 us to wake from,
         * and a thread that parks after a few idle loops stalls a pipeline that is merely between bursts; a long
         * spin phase holds a core that another engine thread is waiting for. Measured (JMH, quiet 2-core VM, one
         * run each, 1 producer, 2 workers, window 16): (100 spins, 10 yields) 1.77 M round trips/s; (100, 1,000)
         * 2.12 M; (10, 1,000) 2.06 M against 1.59 M for (100, 1,000) in a second pair of runs, with the DEDICATED
         * round trip p50 at 2.3 us against 5.5 us. Idle for a millisecond or more, the thread parks.
         */
        private static IdleStrategy defaultIdleStrategy()
        {
            return new BackoffIdleStrategy(10, 1_000, 1_000, 100_000);
        }

        private static void logError(final Throwable error)
        {
            LOG.log(System.Logger.Level.WARNING, "fulcrum: error on an engine thread", error);
        }
    }
}
