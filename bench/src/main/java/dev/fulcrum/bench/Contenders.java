package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Builds a {@link Contender} from a short spec, the form used in JMH {@code @Param}s and on the harness's command
 * line: a kind, then optional tokens separated by {@code -}, in any order.
 * <pre>
 *   kind:     fulcrum | tpeFuture | tpeCallback | forkJoin | disruptor
 *   policy:   leastLoaded (default) | roundRobin | powerOfTwoChoices | joinIdleQueue | peakEwma   (fulcrum only)
 *   mode:     dedicated (default) | shared                                               (fulcrum only)
 *   idle:     backoff (default) | yield | park | spin                            (fulcrum and disruptor only)
 *   pending:  pN, maxPendingPerWorker = N (default 16)                                  (fulcrum only)
 *   binding:  fixed: adaptiveBinding(false), the cap is pN itself                       (fulcrum only)
 *   default:  the engine's own defaults for everything but the policy                   (fulcrum only)
 * </pre>
 * Examples: {@code fulcrum-roundRobin}, {@code fulcrum-shared-spin}, {@code fulcrum-p16-fixed},
 * {@code fulcrum-default}, {@code fulcrum-peakEwma-default}, {@code disruptor-spin}, {@code tpeFuture}.
 * <p>
 * Fulcrum's binding: the engine adapts each worker's cap on pending requests to the task time by default
 * ({@code BalancerBuilder.adaptiveBinding}), and {@code maxPendingPerWorker} is the ceiling of that cap. So a spec
 * without {@code fixed} (e.g. {@code fulcrum-leastLoaded}, {@code fulcrum-p4}) adapts under its {@code pN} (16 when
 * none is given) as a ceiling; with {@code fixed} the cap is {@code pN} at all times, so {@code fulcrum-p16-fixed} is
 * the engine's behaviour before binding adapted. Every other token keeps its meaning: no mode token is DEDICATED, no
 * idle token is Fulcrum's default back-off.
 * <p>
 * {@code default} is Fulcrum as a user who takes the defaults gets it: the builder is given only the workers, the task,
 * the ring size ({@link #RING_SIZE}, the same bound as every engine here) and the thread factory, and the policy when
 * a policy token is given too; the threading mode is then the engine's choice for the machine (SHARED for one worker
 * on fewer than 3 processors, else DEDICATED), the cap adapts under the engine's default ceiling, and the idle
 * strategy is the engine's. It cannot be combined with a mode, idle, {@code pN} or {@code fixed} token, which would
 * set what it leaves to the engine.
 * <p>
 * Every engine has the same ingress bound: a ring (or queue) of {@link #RING_SIZE} slots.
 */
public final class Contenders
{
    /** Fulcrum's and the Disruptor's ring size, and the thread pools' queue capacity. */
    public static final int RING_SIZE = 1024;
    /**
     * Fulcrum's {@code maxPendingPerWorker} when a spec gives no {@code pN} (and no {@code default}): the ceiling of
     * the adaptive cap, or with {@code fixed} the cap (the engine's fixed-binding default); {@code joinIdleQueue}
     * holds 1 whatever it is.
     */
    public static final int MAX_PENDING_PER_WORKER = 16;

    private Contenders()
    {
    }

    /**
     * @param spec    as in the class comment.
     * @param workers worker threads; at least 1.
     * @return a started contender; close it.
     * @throws IllegalArgumentException on a spec that does not parse or does not apply to its kind.
     */
    public static Contender create(final String spec, final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
        final Spec parsed = parse(spec);
        switch (parsed.kind)
        {
            case "fulcrum":
                return new FulcrumContender(spec, workers, parsed.fulcrum, RING_SIZE);
            case "disruptor":
                return new StripedDisruptorContender(spec, workers, parsed.idle, RING_SIZE);
            case "tpeFuture":
                return new ThreadPoolFutureContender(spec, workers, RING_SIZE);
            case "tpeCallback":
                // a fixed pool with a bounded queue; the probe runs the task, then calls the reply
                return new ExecutorContender(spec, workers, ThreadPools.fixed(workers, RING_SIZE, "tpe-callback"));
            default:
                // execute wraps the probe in a ForkJoinTask
                return new ExecutorContender(spec, workers, new ForkJoinPool(workers));
        }
    }

    /**
     * Check a spec without starting anything, so that a long run fails at once on a typo.
     *
     * @param spec as in the class comment.
     * @throws IllegalArgumentException on a spec that does not parse or does not apply to its kind.
     */
    public static void validate(final String spec)
    {
        parse(spec);
    }

    private static Spec parse(final String spec)
    {
        final String[] tokens = spec.trim().split("-");
        final String kind = tokens[0];
        final boolean fulcrum = "fulcrum".equals(kind);
        Policy policy = null;
        ThreadingMode mode = null;
        IdleKind idle = null;
        int maxPending = -1;
        boolean fixed = false;
        boolean defaults = false;
        for (int i = 1; i < tokens.length; i++)
        {
            final String token = tokens[i];
            final Policy p = policy(token);
            final ThreadingMode m = mode(token);
            final IdleKind k = IdleKind.fromToken(token);
            if (null != p && null == policy)
            {
                policy = p;
            }
            else if (null != m && null == mode)
            {
                mode = m;
            }
            else if (null != k && null == idle)
            {
                idle = k;
            }
            else if (token.matches("p[1-9][0-9]*") && maxPending < 0 && fulcrum)
            {
                maxPending = Integer.parseInt(token.substring(1));
            }
            else if ("fixed".equals(token) && !fixed && fulcrum)
            {
                fixed = true;
            }
            else if ("default".equals(token) && !defaults && fulcrum)
            {
                defaults = true;
            }
            else
            {
                throw new IllegalArgumentException(
                    "unknown or repeated token in contender spec: token=" + token + ", spec=" + spec);
            }
        }

        switch (kind)
        {
            case "fulcrum":
                break;
            case "disruptor":
                onlyFulcrum(spec, policy, mode);
                break;
            case "tpeFuture":
            case "tpeCallback":
            case "forkJoin":
                onlyFulcrum(spec, policy, mode);
                noIdle(spec, idle);
                break;
            default:
                throw new IllegalArgumentException("unknown contender kind: kind=" + kind + ", spec=" + spec +
                    " (one of fulcrum, tpeFuture, tpeCallback, forkJoin, disruptor)");
        }
        if (defaults && (null != mode || null != idle || maxPending > 0 || fixed))
        {
            throw new IllegalArgumentException("default leaves the threading mode, idle strategy, " +
                "maxPendingPerWorker and binding to the engine and takes only a policy token besides: spec=" + spec +
                (null != mode ? ", mode=" + mode : "") + (null != idle ? ", idle=" + idle.token() : "") +
                (maxPending > 0 ? ", maxPendingPerWorker=" + maxPending : "") + (fixed ? ", binding=fixed" : ""));
        }
        final FulcrumSettings settings = defaults ?
            new FulcrumSettings(policy, null, null, 0, true) :
            new FulcrumSettings(
                null == policy ? Policy.leastLoaded() : policy,
                null == mode ? ThreadingMode.DEDICATED : mode,
                null == idle ? IdleKind.BACKOFF : idle,
                maxPending < 0 ? MAX_PENDING_PER_WORKER : maxPending,
                !fixed);
        return new Spec(kind, null == idle ? IdleKind.BACKOFF : idle, settings);
    }

    /**
     * @param spec as in the class comment, of kind {@code fulcrum}.
     * @return what the spec sets on Fulcrum's builder.
     * @throws IllegalArgumentException on a spec that does not parse or is not of kind {@code fulcrum}.
     */
    static FulcrumSettings fulcrumSettings(final String spec)
    {
        final Spec parsed = parse(spec);
        if (!"fulcrum".equals(parsed.kind))
        {
            throw new IllegalArgumentException("not a fulcrum spec: spec=" + spec);
        }
        return parsed.fulcrum;
    }

    /**
     * @param specs comma-separated specs.
     * @return the specs, trimmed, empty ones dropped.
     */
    public static List<String> split(final String specs)
    {
        final List<String> list = new ArrayList<>();
        for (final String s : Arrays.asList(specs.split(",")))
        {
            if (!s.isBlank())
            {
                list.add(s.trim());
            }
        }
        return list;
    }

    /**
     * @return the policy a spec token names, or null when the token names none.
     */
    static Policy policy(final String token)
    {
        return Policy.NAMES.contains(token) ? Policy.byName(token) : null;
    }

    /**
     * @return the threading mode a spec token names, or null when the token names none.
     */
    static ThreadingMode mode(final String token)
    {
        switch (token)
        {
            case "dedicated":
                return ThreadingMode.DEDICATED;
            case "shared":
                return ThreadingMode.SHARED;
            default:
                return null;
        }
    }

    private static void onlyFulcrum(final String spec, final Policy policy, final ThreadingMode mode)
    {
        if (null != policy || null != mode)
        {
            throw new IllegalArgumentException("policy and mode apply to fulcrum only: spec=" + spec);
        }
    }

    private static void noIdle(final String spec, final IdleKind idle)
    {
        if (null != idle)
        {
            throw new IllegalArgumentException(
                "thread pools park in their own way; an idle token applies to fulcrum and disruptor only: spec=" +
                spec);
        }
    }

    private static final class Spec
    {
        final String kind;
        /** The Disruptor's wait strategy. */
        final IdleKind idle;
        /** What a {@code fulcrum} spec sets on the builder. */
        final FulcrumSettings fulcrum;

        Spec(final String kind, final IdleKind idle, final FulcrumSettings fulcrum)
        {
            this.kind = kind;
            this.idle = idle;
            this.fulcrum = fulcrum;
        }
    }
}
