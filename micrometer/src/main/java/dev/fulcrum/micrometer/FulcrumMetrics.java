package dev.fulcrum.micrometer;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.WorkerState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * A Micrometer {@link MeterBinder} for a {@link Balancer}: the names Micrometer's {@code ExecutorServiceMetrics}
 * gives a thread pool, where Fulcrum has the figure, and Fulcrum's own meters for the rest. Every meter carries the
 * tag {@code name} (the name given here) and the tags given here, as {@code ExecutorServiceMetrics} does.
 * <pre>
 *  new FulcrumMetrics(balancer, "orders", Tags.empty()).bindTo(registry);
 * </pre>
 *
 * <table>
 * <caption>Micrometer's executor names, as Fulcrum fills them</caption>
 * <tr><th>name</th><th>type, unit</th><th>reads</th></tr>
 * <tr><td>{@code executor.completed}</td><td>function counter, tasks</td><td>{@link BalancerStats#totalCompleted()}:
 * requests whose task returned or threw</td></tr>
 * <tr><td>{@code executor.active}</td><td>gauge, threads</td><td>workers holding at least one request
 * ({@code pending(w) > 0}): each runs one of them, or is about to</td></tr>
 * <tr><td>{@code executor.queued}</td><td>gauge, tasks</td><td>requests the balancer has taken from the ring and
 * not started: on each worker, {@code pending(w) - 1} behind the one it runs, plus {@link BalancerStats#parked()};
 * requests still in the ring are not counted (see below)</td></tr>
 * <tr><td>{@code executor.pool.size}</td><td>gauge, threads</td><td>{@link BalancerStats#poolSize()}: workers in
 * the pool (running, stalled or leaving)</td></tr>
 * <tr><td>{@code executor.pool.max}</td><td>gauge, threads</td><td>{@link Balancer#maxWorkers()}: the slots the
 * pool may grow to</td></tr>
 * </table>
 * Not registered, because Fulcrum has no figure that means the same: {@code executor.pool.core} (a balancer keeps
 * no core size; an {@code Autoscaler}'s minimum is the autoscaler's), {@code executor.queue.remaining} (the bound
 * a submitter meets is the ring, and {@code BalancerStats} does not show the ring's free room, nor its
 * occupancy), the timers {@code executor} and {@code executor.idle} (they time each task, which would be work per
 * request; the latency figures below are per worker and per interval instead) and the {@code ForkJoinPool} and
 * scheduled-executor names ({@code executor.steals}, {@code executor.running}, {@code executor.parallelism},
 * {@code executor.delayed}).
 *
 * <table>
 * <caption>Fulcrum's own names</caption>
 * <tr><th>name</th><th>type, unit</th><th>reads</th></tr>
 * <tr><td>{@code fulcrum.worker.pending}, tag {@code worker}</td><td>gauge, tasks</td>
 * <td>{@link BalancerStats#pending(int)}</td></tr>
 * <tr><td>{@code fulcrum.worker.completed}, tag {@code worker}</td><td>function counter, tasks</td>
 * <td>{@link BalancerStats#completed(int)}</td></tr>
 * <tr><td>{@code fulcrum.worker.failed}, tag {@code worker}</td><td>function counter, tasks</td>
 * <td>{@link BalancerStats#failed(int)}: tasks that threw (also counted completed)</td></tr>
 * <tr><td>{@code fulcrum.worker.wait.percentile}, {@code fulcrum.worker.service.percentile}, tags {@code worker}
 * and {@code phi} (0.5, 0.99, 0.999)</td><td>gauge, seconds</td><td>only when the balancer records latency
 * histograms ({@code BalancerBuilder.latencyHistograms(true)}): {@link BalancerStats#waitNanos(int, double)} and
 * {@link BalancerStats#serviceNanos(int, double)} over the last completed interval (the tag {@code phi} as
 * Micrometer's own percentile gauges have it)</td></tr>
 * <tr><td>{@code fulcrum.worker.wait.max}, {@code fulcrum.worker.service.max}, tag {@code worker}</td>
 * <td>gauge, seconds</td><td>the longest wait and service of that interval</td></tr>
 * <tr><td>{@code fulcrum.workers}, tag {@code state}</td><td>gauge</td><td>worker slots in each
 * {@link WorkerState}: {@code running}, {@code stalled}, {@code leaving}, {@code gone}</td></tr>
 * <tr><td>{@code fulcrum.dispatched}</td><td>function counter, tasks</td><td>{@link BalancerStats#dispatched()}
 * (a moved request counts again)</td></tr>
 * <tr><td>{@code fulcrum.reply.errors}</td><td>function counter</td>
 * <td>{@link BalancerStats#totalReplyErrors()}</td></tr>
 * <tr><td>{@code fulcrum.stalls}</td><td>function counter</td><td>{@link BalancerStats#totalStalls()}</td></tr>
 * <tr><td>{@code fulcrum.moved}</td><td>function counter, tasks</td><td>{@link BalancerStats#totalMoved()}</td></tr>
 * <tr><td>{@code fulcrum.key.backlog.rejected}</td><td>function counter, tasks</td>
 * <td>{@link BalancerStats#keyBacklogRejected()}</td></tr>
 * <tr><td>{@code fulcrum.interrupts.cleared}</td><td>function counter</td><td>interrupt flags user code left set,
 * on the workers and on the balancer's thread</td></tr>
 * <tr><td>{@code fulcrum.parked}</td><td>gauge, tasks</td><td>{@link BalancerStats#parked()}</td></tr>
 * <tr><td>{@code fulcrum.keys.in.flight}</td><td>gauge</td><td>{@link BalancerStats#keysInFlight()}</td></tr>
 * <tr><td>{@code fulcrum.pending.variance}</td><td>gauge</td><td>{@link BalancerStats#variancePending()}: 0 when
 * the load is even, as Pike's demo prints it</td></tr>
 * </table>
 * Workers that come and go: the per-worker meters are registered at {@link #bindTo} for every slot up to
 * {@link Balancer#maxWorkers()}, so the set of meters never changes while the pool does. A slot with no worker
 * ({@code gone}) reads 0 pending; its counters keep what its earlier workers did (a slot's counters never go back,
 * also when a new worker fills it), so each function counter stays monotonic. Size {@code maxWorkers} with that in
 * mind: each slot costs three meters.
 * <p>
 * Cost: nothing on the engine's threads and nothing per request. The meters read the balancer only when the
 * registry reads them (a scrape, a publishing step), through one {@link Balancer#stats()} snapshot shared by every
 * meter read within {@code snapshotMaxAge} of it (default {@link #DEFAULT_SNAPSHOT_MAX_AGE}), so a scrape copies
 * the counters about once, not once per meter. Figures are as exact as {@link BalancerStats} says: exact when read,
 * not read at one instant. While a stalled or leaving worker still holds requests that were moved away from it, they
 * count in its pending (and so in {@code executor.queued}) as well as where they went, until it skips them.
 * <p>
 * The meters hold the balancer: Micrometer keeps a meter's source weakly, but each function here holds it, so
 * dropping this object after {@code bindTo} loses nothing. {@link #close()} removes the meters again. As with
 * Micrometer's own binders, give each balancer its own {@code name}: a second meter with the same name and tags is
 * not registered again (the registry keeps the first).
 * <p>
 * Threading: {@link #bindTo} and {@link #close()} from any thread; the meters are read on whatever thread the
 * registry uses.
 */
public final class FulcrumMetrics implements MeterBinder, AutoCloseable
{
    /**
     * How long one snapshot serves the meters read after it, unless the constructor says otherwise.
     */
    public static final Duration DEFAULT_SNAPSHOT_MAX_AGE = Duration.ofMillis(100);

    private static final double[] PHIS = {0.5, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = 1e9;

    private final StatsSnapshots snapshots;
    private final Tags tags;
    private final int maxWorkers;
    /** The balancer records latency histograms: its percentile meters are registered too. */
    private final boolean latencyHistograms;
    private final List<Bound> bound = new ArrayList<>();
    private boolean closed;

    /**
     * A binder with the default snapshot age.
     *
     * @param balancer to show; not null.
     * @param name     the {@code name} tag of every meter; not blank.
     * @param tags     more tags for every meter (say {@code Tags.empty()}); not null.
     * @throws NullPointerException     naming the parameter that is null.
     * @throws IllegalArgumentException when {@code name} is blank.
     */
    public FulcrumMetrics(final Balancer<?, ?> balancer, final String name, final Iterable<Tag> tags)
    {
        this(balancer, name, tags, DEFAULT_SNAPSHOT_MAX_AGE);
    }

    /**
     * A binder whose meters share each snapshot for {@code snapshotMaxAge}.
     *
     * @param balancer       to show; not null.
     * @param name           the {@code name} tag of every meter; not blank.
     * @param tags           more tags for every meter (say {@code Tags.empty()}); not null.
     * @param snapshotMaxAge how long one {@link Balancer#stats()} snapshot serves the meters read after it;
     *                       {@link Duration#ZERO} takes one per meter read.
     * @throws NullPointerException     naming the parameter that is null.
     * @throws IllegalArgumentException when {@code name} is blank, or {@code snapshotMaxAge} is negative or longer
     *                                  than {@link Long#MAX_VALUE} nanoseconds.
     */
    public FulcrumMetrics(
        final Balancer<?, ?> balancer, final String name, final Iterable<Tag> tags, final Duration snapshotMaxAge)
    {
        this(balancer, name, tags, snapshotMaxAge, System::nanoTime);
    }

    FulcrumMetrics(
        final Balancer<?, ?> balancer,
        final String name,
        final Iterable<Tag> tags,
        final Duration snapshotMaxAge,
        final LongSupplier nanoClock)
    {
        requireNonNull(balancer, "balancer");
        requireNonNull(name, "name");
        requireNonNull(tags, "tags");
        requireNonNull(snapshotMaxAge, "snapshotMaxAge");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("name must not be blank: name='" + name + "'");
        }
        if (snapshotMaxAge.isNegative())
        {
            throw new IllegalArgumentException("snapshotMaxAge must not be negative: snapshotMaxAge=" + snapshotMaxAge);
        }
        final long maxAgeNs;
        try
        {
            maxAgeNs = snapshotMaxAge.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            throw new IllegalArgumentException(
                "snapshotMaxAge must be at most " + Long.MAX_VALUE + " ns: snapshotMaxAge=" + snapshotMaxAge);
        }
        this.snapshots = new StatsSnapshots(balancer, maxAgeNs, nanoClock);
        this.tags = Tags.concat(tags, "name", name);
        this.maxWorkers = balancer.maxWorkers();
        this.latencyHistograms = balancer.stats().latencyHistograms();
    }

    /**
     * Register every meter of the tables above with {@code registry}. May be called for several registries.
     *
     * @param registry where to register; not null.
     * @throws NullPointerException  when {@code registry} is null.
     * @throws IllegalStateException after {@link #close()}.
     */
    @Override
    public synchronized void bindTo(final MeterRegistry registry)
    {
        requireNonNull(registry, "registry");
        if (closed)
        {
            throw new IllegalStateException("closed: its meters were removed, make a new FulcrumMetrics");
        }
        bindExecutorMeters(registry);
        bindBalancerMeters(registry);
        for (int w = 0; w < maxWorkers; w++)
        {
            bindWorkerMeters(registry, w);
        }
    }

    /**
     * Remove every meter this binder registered from every registry it was bound to. Idempotent; the balancer is
     * not touched.
     */
    @Override
    public synchronized void close()
    {
        closed = true;
        for (final Bound b : bound)
        {
            b.registry.remove(b.meter);
        }
        bound.clear();
    }

    private void bindExecutorMeters(final MeterRegistry registry)
    {
        counter(registry, "executor.completed", "tasks", tags,
            "The approximate total number of tasks that have completed execution", BalancerStats::totalCompleted);
        gauge(registry, "executor.active", "threads", tags,
            "Workers holding at least one request: each runs one of them or is about to", FulcrumMetrics::active);
        gauge(registry, "executor.queued", "tasks", tags,
            "Requests taken from the ring and not started: queued behind a worker's running one, or parked",
            FulcrumMetrics::queued);
        gauge(registry, "executor.pool.size", "threads", tags,
            "The current number of workers in the pool (running, stalled or leaving)", BalancerStats::poolSize);
        gauge(registry, "executor.pool.max", "threads", tags,
            "The maximum allowed number of workers in the pool (maxWorkers)", BalancerStats::workers);
    }

    private void bindBalancerMeters(final MeterRegistry registry)
    {
        counter(registry, "fulcrum.dispatched", "tasks", tags,
            "Requests handed to workers (a moved request counts again)", BalancerStats::dispatched);
        counter(registry, "fulcrum.reply.errors", null, tags,
            "Replies and end-of-batch hooks that threw", BalancerStats::totalReplyErrors);
        counter(registry, "fulcrum.stalls", null, tags,
            "Times a worker's task ran past the stall threshold", BalancerStats::totalStalls);
        counter(registry, "fulcrum.moved", "tasks", tags,
            "Requests moved off stalled or leaving workers before they started", BalancerStats::totalMoved);
        counter(registry, "fulcrum.key.backlog.rejected", "tasks", tags,
            "Keyed requests answered with KeyBacklogFullException", BalancerStats::keyBacklogRejected);
        counter(registry, "fulcrum.interrupts.cleared", null, tags,
            "Interrupt flags user code left set on engine threads, cleared by the engine",
            FulcrumMetrics::interruptsCleared);
        gauge(registry, "fulcrum.parked", "tasks", tags,
            "Keyed requests waiting behind a full worker", BalancerStats::parked);
        gauge(registry, "fulcrum.keys.in.flight", null, tags,
            "Distinct keys with requests in flight (dispatched or parked)", BalancerStats::keysInFlight);
        gauge(registry, "fulcrum.pending.variance", null, tags,
            "Population variance of the pending counts of the workers in the pool: 0 when the load is even",
            BalancerStats::variancePending);
        for (final WorkerState state : WorkerState.values())
        {
            gauge(registry, "fulcrum.workers", null, tags.and("state", state.name().toLowerCase(Locale.ROOT)),
                "Worker slots in this state", stats -> slotsIn(stats, state));
        }
    }

    /**
     * The per-worker meters of slot {@code w}: every figure {@link BalancerStats} keeps per worker and this binder
     * shows is registered here, with the tag {@code worker}, for each slot up to {@code maxWorkers}.
     */
    private void bindWorkerMeters(final MeterRegistry registry, final int w)
    {
        final Tags workerTags = tags.and("worker", Integer.toString(w));
        gauge(registry, "fulcrum.worker.pending", "tasks", workerTags,
            "Requests handed to the worker and not yet completed (queued or running)", stats -> stats.pending(w));
        counter(registry, "fulcrum.worker.completed", "tasks", workerTags,
            "Requests the worker finished, whether the task returned or threw", stats -> stats.completed(w));
        counter(registry, "fulcrum.worker.failed", "tasks", workerTags,
            "Requests whose task threw on the worker", stats -> stats.failed(w));
        if (latencyHistograms)
        {
            bindLatencyMeters(registry, workerTags, w);
        }
    }

    private void bindLatencyMeters(final MeterRegistry registry, final Tags workerTags, final int w)
    {
        for (final double phi : PHIS)
        {
            final Tags phiTags = workerTags.and("phi", Double.toString(phi));
            final double percentile = phi * 100;
            secondsGauge(registry, "fulcrum.worker.wait.percentile", phiTags,
                "Submit to start (ring, balancer, worker queue) over the last interval",
                stats -> stats.waitNanos(w, percentile));
            secondsGauge(registry, "fulcrum.worker.service.percentile", phiTags,
                "Time in Task.execute over the last interval", stats -> stats.serviceNanos(w, percentile));
        }
        secondsGauge(registry, "fulcrum.worker.wait.max", workerTags,
            "Longest submit to start over the last interval", stats -> stats.waitMaxNanos(w));
        secondsGauge(registry, "fulcrum.worker.service.max", workerTags,
            "Longest time in Task.execute over the last interval", stats -> stats.serviceMaxNanos(w));
    }

    /**
     * A gauge of a time {@link BalancerStats} gives in nanoseconds, in seconds, Micrometer's base unit of time.
     */
    private void secondsGauge(
        final MeterRegistry registry,
        final String name,
        final Tags meterTags,
        final String description,
        final ToLongFunction<BalancerStats> nanos)
    {
        gauge(registry, name, "seconds", meterTags, description, stats -> nanos.applyAsLong(stats) / NANOS_PER_SECOND);
    }

    private void gauge(
        final MeterRegistry registry,
        final String name,
        final String baseUnit,
        final Tags meterTags,
        final String description,
        final ToDoubleFunction<BalancerStats> value)
    {
        final Gauge gauge = Gauge.builder(name, snapshots, source -> value.applyAsDouble(source.stats()))
            .strongReference(true) // the meter keeps the source: dropping the binder after bindTo loses nothing
            .tags(meterTags)
            .description(description)
            .baseUnit(baseUnit)
            .register(registry);
        bound.add(new Bound(registry, gauge));
    }

    private void counter(
        final MeterRegistry registry,
        final String name,
        final String baseUnit,
        final Tags meterTags,
        final String description,
        final ToDoubleFunction<BalancerStats> value)
    {
        // A function counter keeps its source weakly and has no strongReference option: the function holds the
        // source itself, so the meter keeps it reachable, as the gauges do.
        final StatsSnapshots source = snapshots;
        final FunctionCounter counter = FunctionCounter
            .builder(name, source, ignored -> value.applyAsDouble(source.stats()))
            .tags(meterTags)
            .description(description)
            .baseUnit(baseUnit)
            .register(registry);
        bound.add(new Bound(registry, counter));
    }

    private static double active(final BalancerStats stats)
    {
        int active = 0;
        for (int w = 0, n = stats.workers(); w < n; w++)
        {
            active += stats.pending(w) > 0 ? 1 : 0;
        }
        return active;
    }

    private static double queued(final BalancerStats stats)
    {
        long queued = stats.parked();
        for (int w = 0, n = stats.workers(); w < n; w++)
        {
            queued += Math.max(0, stats.pending(w) - 1);
        }
        return queued;
    }

    private static double interruptsCleared(final BalancerStats stats)
    {
        long cleared = stats.balancerInterruptsCleared();
        for (int w = 0, n = stats.workers(); w < n; w++)
        {
            cleared += stats.interruptsCleared(w);
        }
        return cleared;
    }

    private static double slotsIn(final BalancerStats stats, final WorkerState state)
    {
        int slots = 0;
        for (int w = 0, n = stats.workers(); w < n; w++)
        {
            slots += state == stats.state(w) ? 1 : 0;
        }
        return slots;
    }

    private static void requireNonNull(final Object value, final String name)
    {
        if (null == value)
        {
            throw new NullPointerException(name + " must not be null: " + name + "=null");
        }
    }

    private static final class Bound
    {
        final MeterRegistry registry;
        final Meter meter;

        Bound(final MeterRegistry registry, final Meter meter)
        {
            this.registry = registry;
            this.meter = meter;
        }
    }
}
