package dev.fulcrum;

import java.util.List;

/**
 * How the balancer picks a worker for each request. Every policy runs on the balancer thread only, sees the same
 * pending counts, and never picks a worker that is full.
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
 * </table>
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
     * The names {@link #byName(String)} knows, as the factory methods are called.
     */
    public static final List<String> NAMES = List.of("leastLoaded", "roundRobin", "powerOfTwoChoices", "joinIdleQueue");

    /**
     * A policy from configuration: an environment variable, a command line, a benchmark parameter.
     *
     * @param name one of {@link #NAMES}; {@code powerOfTwoChoices} gets the fixed seed of
     *             {@link #powerOfTwoChoices()}.
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
}
