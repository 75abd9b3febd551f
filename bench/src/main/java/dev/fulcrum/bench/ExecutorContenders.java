package dev.fulcrum.bench;

import dev.fulcrum.FulcrumExecutorService;
import dev.fulcrum.FulcrumExecutorService.RejectionPolicy;
import dev.fulcrum.ThreadingMode;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;

/**
 * Executors behind the JDK's {@link Executor} interface, driven through {@link Contender} and
 * {@link KeyedContender} so that the throughput benchmarks' {@link ProbeWindow} and the harnesses' open loops drive
 * them as they drive every other contender. Each request is the preallocated {@link Probe} itself, handed to
 * {@code execute(Runnable)}: the {@code Runnable} is the caller's allocation, never the engine's.
 * <pre>
 *   unordered ({@link #create}):  fulcrum | fulcrum-shared | tpe | forkJoin
 *   ordered   ({@link #ordered}): fulcrum | fulcrum-shared | stripes
 * </pre>
 * <ul>
 *   <li>{@code fulcrum}: {@code FulcrumExecutorService.create(b -> b.workers(n), RejectionPolicy.WAIT)}, every
 *   other setting the builder's default ({@link ThreadingMode#DEDICATED}: workers + 1 balancer thread, ring 1024,
 *   {@code maxPendingPerWorker} 16, {@code leastLoaded}, Fulcrum's default back-off idle strategy: spin 10, yield
 *   1,000, park 1..100 us); ordered, {@code forKey(key)};</li>
 *   <li>{@code fulcrum-shared}: the same with {@link ThreadingMode#SHARED} (the balancer on worker 0's thread:
 *   workers threads);</li>
 *   <li>{@code tpe}: {@link ThreadPools#fixed} ({@code newFixedThreadPool(n)} with a bounded queue of 1024 that
 *   the caller waits on when full), workers park in {@code LinkedBlockingQueue.take};</li>
 *   <li>{@code forkJoin}: {@code new ForkJoinPool(n)} (its queues are unbounded; the callers' windows bound it);
 *   workers scan, then park;</li>
 *   <li>{@code stripes}: the hashed single-thread-executor pattern, {@code n} x
 *   {@link Executors#newSingleThreadExecutor}, key {@code % n} (unbounded queues; each thread parks in
 *   {@code take}).</li>
 * </ul>
 * Ordered contenders resolve each key's {@link Executor} once, at construction ({@code forKey} returns a new small
 * object per call), so the measured send is one array read and one {@code execute}, the same for both.
 */
final class ExecutorContenders
{
    static final String FULCRUM = "fulcrum";
    static final String FULCRUM_SHARED = "fulcrum-shared";

    private ExecutorContenders()
    {
    }

    /**
     * @param spec    {@code fulcrum}, {@code fulcrum-shared}, {@code tpe} or {@code forkJoin}.
     * @param workers worker threads; at least 1.
     * @return a started contender whose {@code send} is {@code execute(probe)}; close it.
     */
    static Contender create(final String spec, final int workers)
    {
        checkWorkers(workers);
        final ExecutorService executor;
        switch (spec)
        {
            case FULCRUM:
            case FULCRUM_SHARED:
                executor = fulcrum(spec, workers);
                break;
            case "tpe":
                executor = ThreadPools.fixed(workers, Contenders.RING_SIZE, "tpe-execute");
                break;
            case "forkJoin":
                executor = new ForkJoinPool(workers);
                break;
            default:
                throw new IllegalArgumentException("unknown executor contender: spec=" + spec +
                    " (one of fulcrum, fulcrum-shared, tpe, forkJoin)");
        }
        return new ExecutorContender(spec, workers, executor);
    }

    /**
     * @param spec    {@code fulcrum}, {@code fulcrum-shared} or {@code stripes}.
     * @param workers worker threads (stripes for {@code stripes}); at least 1.
     * @param keys    keys {@code 0..keys-1} that will be sent; at least 1.
     * @return a started contender whose {@code send(key, probe)} is {@code executorOf(key).execute(probe)}.
     */
    static KeyedContender ordered(final String spec, final int workers, final int keys)
    {
        checkWorkers(workers);
        if (keys < 1)
        {
            throw new IllegalArgumentException("keys must be >= 1: keys=" + keys);
        }
        final Executor[] byKey = new Executor[keys];
        final ExecutorService[] owned;
        switch (spec)
        {
            case FULCRUM:
            case FULCRUM_SHARED:
                final FulcrumExecutorService fulcrum = fulcrum(spec, workers);
                for (int k = 0; k < keys; k++)
                {
                    byKey[k] = fulcrum.forKey(k);
                }
                owned = new ExecutorService[]{fulcrum};
                break;
            case "stripes":
                owned = new ExecutorService[workers];
                for (int i = 0; i < workers; i++)
                {
                    owned[i] = Executors.newSingleThreadExecutor(new DaemonThreadFactory("stripe-" + i));
                }
                for (int k = 0; k < keys; k++)
                {
                    byKey[k] = owned[k % workers];
                }
                break;
            default:
                throw new IllegalArgumentException("unknown ordered executor contender: spec=" + spec +
                    " (one of fulcrum, fulcrum-shared, stripes)");
        }
        return new Ordered(spec, workers, byKey, owned);
    }

    private static FulcrumExecutorService fulcrum(final String spec, final int workers)
    {
        final ThreadingMode mode = FULCRUM_SHARED.equals(spec) ? ThreadingMode.SHARED : ThreadingMode.DEDICATED;
        return FulcrumExecutorService.create(b -> b.workers(workers).threadingMode(mode), RejectionPolicy.WAIT);
    }

    private static void checkWorkers(final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
    }

    /**
     * One {@link Executor} per key, resolved at construction; {@code send(probe)} without a key uses key 0.
     */
    private static final class Ordered extends AbstractCallbackContender implements KeyedContender
    {
        private final Executor[] byKey;
        private final ExecutorService[] owned;

        Ordered(final String name, final int workers, final Executor[] byKey, final ExecutorService[] owned)
        {
            super(name, workers);
            this.byKey = byKey;
            this.owned = owned;
        }

        @Override
        public void send(final long key, final Probe probe)
        {
            byKey[(int)key].execute(probe);
        }

        @Override
        public void send(final Probe probe)
        {
            send(0, probe);
        }

        @Override
        public void close()
        {
            for (final ExecutorService executor : owned)
            {
                ThreadPools.shutdown(executor);
            }
        }
    }
}
