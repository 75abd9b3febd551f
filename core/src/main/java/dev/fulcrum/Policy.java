package dev.fulcrum;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * How the balancer picks a worker for each request. Every policy runs on the balancer thread only, sees the same
 * pending counts, and never picks a worker that is full or offline. Each balancer gets its own instance of the
 * policy's state, so one {@code Policy} may build any number of balancers.
 *
 * <table>
 * <caption>Built-in policies</caption>
 * <tr><th>policy</th><th>origin</th><th>rule</th></tr>
 * <tr><td>{@link #leastLoaded()}</td><td>Pike</td><td>min-heap on pending; O(log n)</td></tr>
 * <tr><td>{@link #joinIdleQueue()}</td><td>Castilho</td><td>only idle workers take work; requests wait in the
 * ring</td></tr>
 * <tr><td>{@link #roundRobin()}</td><td>baseline</td><td>next worker in turn with room</td></tr>
 * <tr><td>{@link #powerOfTwoChoices(long)}</td><td>Mitzenmacher</td><td>less loaded of two random workers;
 * O(1)</td></tr>
 * <tr><td>{@link #peakEwma(Duration)}</td><td>Finagle</td><td>lowest {@code cost * (pending + 1)}, cost a
 * peak-sensitive moving average of service times; O(online workers)</td></tr>
 * </table>
 * A policy of your own: {@link #custom(String, Function)} with a {@link WorkerChooser}.
 */
public abstract class Policy
{
    private static final Policy LEAST_LOADED = new Policy("leastLoaded")
    {
        Dispatcher newDispatcher(final int workers, final int maxPending)
        {
            return new LeastLoadedDispatcher(workers, maxPending);
        }
    };

    private static final Policy ROUND_ROBIN = new Policy("roundRobin")
    {
        Dispatcher newDispatcher(final int workers, final int maxPending)
        {
            return new RoundRobinDispatcher(workers, maxPending);
        }
    };

    private static final Policy JOIN_IDLE_QUEUE = new Policy("joinIdleQueue")
    {
        Dispatcher newDispatcher(final int workers, final int maxPending)
        {
            return new JoinIdleQueueDispatcher(workers);
        }
    };

    /**
     * The decay time of {@link #peakEwma()}: 1 ms, about a thousand times a task of a microsecond, as Finagle's
     * 10 s default is to a millisecond RPC. A worker's cost remembers about this much of its history, and an idle
     * worker shunned after a spike a hundred times the others' cost is tried again after about 5 ms
     * ({@code ln(100) tau}; an idle worker fades over 16 of the cheapest worker's service times instead where that is
     * longer than {@code tau}).
     */
    public static final Duration PEAK_EWMA_TAU = Duration.ofMillis(1);

    /** Longest {@link #peakEwma(Duration)} decay time. */
    public static final Duration MAX_PEAK_EWMA_TAU = Duration.ofHours(1);

    private final String name;

    private Policy(final String name)
    {
        this.name = name;
    }

    /**
     * @return Pike's least-loaded balancer: the worker with the fewest pending requests, ties to the lowest index.
     */
    public static Policy leastLoaded()
    {
        return LEAST_LOADED;
    }

    /**
     * @return each worker in turn, skipping full ones.
     */
    public static Policy roundRobin()
    {
        return ROUND_ROBIN;
    }

    /**
     * @return Castilho's pool of idle workers: a worker takes one request at a time, only when idle, and idle
     * workers are served in the order they became idle. Overrides {@code maxPendingPerWorker} with 1. The
     * tightest binding and the best balance for long, uneven tasks, but every task waits for a round trip
     * through the balancer before its worker can take the next: for tiny tasks in
     * {@link ThreadingMode#DEDICATED} expect about a tenth of the other policies' throughput.
     */
    public static Policy joinIdleQueue()
    {
        return JOIN_IDLE_QUEUE;
    }

    /**
     * @param seed of the random draws, so that a run can be repeated; any value.
     * @return the less loaded of two workers drawn at random.
     */
    public static Policy powerOfTwoChoices(final long seed)
    {
        return new Policy("powerOfTwoChoices")
        {
            Dispatcher newDispatcher(final int workers, final int maxPending)
            {
                return new PowerOfTwoChoicesDispatcher(workers, maxPending, seed);
            }
        };
    }

    /**
     * @return {@link #powerOfTwoChoices(long)} with a fixed seed.
     */
    public static Policy powerOfTwoChoices()
    {
        return powerOfTwoChoices(42);
    }

    /**
     * @return {@link #peakEwma(Duration)} with the decay time {@link #PEAK_EWMA_TAU}, 1 ms.
     */
    public static Policy peakEwma()
    {
        return peakEwma(PEAK_EWMA_TAU);
    }

    /**
     * Finagle's Peak EWMA: each worker's cost is a peak-sensitive, exponentially weighted moving average of its
     * requests' service times (each request's time on the worker as the balancer sees it: its round trip, dispatch to
     * the balancer seeing the completion, less any wait in the worker's queue behind another request, since the load
     * counts those already); the choice is the online worker with room and the lowest {@code cost * (pending + 1)},
     * the lowest index among equals. A sample above the cost becomes the cost at once; one below is blended in with
     * the weight {@code exp(-elapsed / tau)} on the old cost; an idle worker's cost fades with the same {@code tau},
     * down to the cheapest online worker's, so a shunned worker is tried again: one request, and no more until it
     * answers, when its cost had faded to half or less. A worker with no sample yet is tried once at once, then ranked
     * after every worker with a sample until it answers. Written on the public {@link WorkerChooser} interface, like
     * a policy of your own; the balancer reads {@link System#nanoTime()} at each dispatch and completion for it.
     * Each choice scans the online workers, O(n), with no {@code exp} in the scan (it compares logarithms); one
     * {@code exp} and one {@code log} per completion.
     * <p>
     * For workers that differ in speed; where the slowness is in the tasks (heavy-tailed tasks on equal workers), one
     * long task makes its worker look slow for a while, and {@link #leastLoaded()} balances better.
     *
     * @param tau the decay time: how much history a cost remembers, and how soon an idle worker's cost fades.
     *            Positive and at most {@link #MAX_PEAK_EWMA_TAU}.
     * @return the policy, named {@code peakEwma}.
     * @throws NullPointerException     when {@code tau} is null.
     * @throws IllegalArgumentException naming the value when {@code tau} is out of range.
     */
    public static Policy peakEwma(final Duration tau)
    {
        return peakEwma(tau, SystemNanoClock.INSTANCE);
    }

    /**
     * For tests: Peak EWMA on a clock of the test's (the balancer's own stamps stay {@link System#nanoTime()}).
     */
    static Policy peakEwma(final Duration tau, final NanoClock clock)
    {
        Balancer.requireNonNull(tau, "tau");
        if (tau.isNegative() || tau.isZero() || tau.compareTo(MAX_PEAK_EWMA_TAU) > 0)
        {
            throw new IllegalArgumentException("tau must be positive and at most " + MAX_PEAK_EWMA_TAU + ": tau=" + tau);
        }
        final long tauNs = tau.toNanos();
        return new ChooserPolicy("peakEwma", workers -> new PeakEwmaChooser(workers, tauNs, clock));
    }

    /**
     * A policy you write: a {@link WorkerChooser}, made by {@code factory} for each balancer built with the policy
     * (so no state is shared between balancers), given the balancer's {@link WorkerView}. The chooser's class
     * comment is the contract: what it sees, on which thread, what it must never do, and what the balancer does when
     * it breaks it.
     *
     * <pre>{@code
     * Policy policy = Policy.custom("lastRoundTrip", LastRoundTrip::new); // LastRoundTrip(WorkerView), the README's
     * }</pre>
     *
     * @param name    the policy's name, for {@link Balancer#policyName()} and messages; not blank, and not one of
     *                {@link #NAMES}.
     * @param factory makes a new chooser for each balancer, on the thread that calls {@code build()}; a factory that
     *                throws fails that {@code build()}, one that returns null or a chooser already in use makes it
     *                throw {@link IllegalArgumentException}.
     * @return the policy.
     * @throws NullPointerException     when {@code name} or {@code factory} is null.
     * @throws IllegalArgumentException naming the value when {@code name} is blank or a built-in policy's name.
     */
    public static Policy custom(final String name, final Function<WorkerView, ? extends WorkerChooser> factory)
    {
        Balancer.requireNonNull(name, "name");
        Balancer.requireNonNull(factory, "factory");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("name must not be blank: name=\"" + name + "\"");
        }
        if (NAMES.contains(name))
        {
            throw new IllegalArgumentException("name must not be a built-in policy's, one of " + NAMES + ": name=" +
                name);
        }
        return new ChooserPolicy(name, factory);
    }

    /**
     * The names {@link #byName(String)} knows, as the factory methods are called.
     */
    public static final List<String> NAMES =
        List.of("leastLoaded", "roundRobin", "powerOfTwoChoices", "joinIdleQueue", "peakEwma");

    /**
     * A policy from configuration: an environment variable, a command line, a benchmark parameter.
     *
     * @param name one of {@link #NAMES}; {@code powerOfTwoChoices} gets the fixed seed of
     *             {@link #powerOfTwoChoices()}, {@code peakEwma} the decay time of {@link #peakEwma()}.
     * @return the policy of that name.
     * @throws IllegalArgumentException naming the value when it is not one of {@link #NAMES}.
     */
    public static Policy byName(final String name)
    {
        switch (String.valueOf(name))
        {
            case "leastLoaded":
                return leastLoaded();
            case "roundRobin":
                return roundRobin();
            case "powerOfTwoChoices":
                return powerOfTwoChoices();
            case "joinIdleQueue":
                return joinIdleQueue();
            case "peakEwma":
                return peakEwma();
            default:
                throw new IllegalArgumentException("policy must be one of " + NAMES + ": policy=" + name);
        }
    }

    /**
     * @return the policy's name, as its factory method is called.
     */
    public String name()
    {
        return name;
    }

    @Override
    public String toString()
    {
        return name;
    }

    abstract Dispatcher newDispatcher(int workers, int maxPending);

    /**
     * A policy whose rule is a {@link WorkerChooser}, adapted onto the balancer by {@link ChooserDispatcher}.
     */
    private static final class ChooserPolicy extends Policy
    {
        private final Function<WorkerView, ? extends WorkerChooser> factory;

        ChooserPolicy(final String name, final Function<WorkerView, ? extends WorkerChooser> factory)
        {
            super(name);
            this.factory = factory;
        }

        @Override
        Dispatcher newDispatcher(final int workers, final int maxPending)
        {
            return ChooserDispatcher.create(name(), factory, workers, maxPending);
        }
    }
}
