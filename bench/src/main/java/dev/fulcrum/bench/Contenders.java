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
 *   kind:    fulcrum | tpeFuture | tpeCallback | forkJoin | disruptor
 *   policy:  leastLoaded (default) | roundRobin | powerOfTwoChoices | joinIdleQueue | peakEwma   (fulcrum only)
 *   mode:    dedicated (default) | shared                                              (fulcrum only)
 *   idle:    backoff (default) | yield | spin                                  (fulcrum and disruptor only)
 *   pending: pN, maxPendingPerWorker = N (default 16)                                 (fulcrum only)
 * </pre>
 * Examples: {@code fulcrum-roundRobin}, {@code fulcrum-shared-spin}, {@code disruptor-spin}, {@code tpeFuture}.
 * Every engine has the same bounds: a ring (or queue) of {@link #RING_SIZE} slots; Fulcrum holds at most
 * {@link #MAX_PENDING_PER_WORKER} requests per worker.
 */
public final class Contenders
{
    /** Fulcrum's and the Disruptor's ring size, and the thread pools' queue capacity. */
    public static final int RING_SIZE = 1024;
    /** Fulcrum's {@code maxPendingPerWorker} (its default); {@code joinIdleQueue} uses 1. */
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
                return new FulcrumContender(
                    spec, workers, parsed.policy, parsed.mode, parsed.idle, RING_SIZE, parsed.maxPending);
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
        Policy policy = null;
        ThreadingMode mode = null;
        IdleKind idle = null;
        int maxPending = -1;
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
            else if (token.matches("p[1-9][0-9]*") && maxPending < 0 && "fulcrum".equals(tokens[0]))
            {
                maxPending = Integer.parseInt(token.substring(1));
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
        return new Spec(
            kind,
            null == policy ? Policy.leastLoaded() : policy,
            null == mode ? ThreadingMode.DEDICATED : mode,
            null == idle ? IdleKind.BACKOFF : idle,
            maxPending < 0 ? MAX_PENDING_PER_WORKER : maxPending);
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
        final Policy policy;
        final ThreadingMode mode;
        final IdleKind idle;
        final int maxPending;

        Spec(final String kind, final Policy policy, final ThreadingMode mode, final IdleKind idle, final int maxPending)
        {
            this.maxPending = maxPending;
            this.kind = kind;
            this.policy = policy;
            this.mode = mode;
            this.idle = idle;
        }
    }
}
