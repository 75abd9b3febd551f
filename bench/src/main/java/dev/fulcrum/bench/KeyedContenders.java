package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

/**
 * Builds a {@link KeyedContender} from a short spec, as {@link Contenders} does for unkeyed ones: a kind, then
 * optional tokens separated by {@code -}, in any order.
 * <pre>
 *   kind:      fulcrum | striped
 *   ordering:  keyed (default) | unkeyed                                               (fulcrum only)
 *   policy:    leastLoaded (default) | roundRobin | powerOfTwoChoices | joinIdleQueue  (fulcrum only)
 *   mode:      dedicated (default) | shared                                            (fulcrum only)
 *   idle:      backoff (default) | yield | spin                                        (see {@link IdleKind})
 * </pre>
 * Examples: {@code fulcrum-keyed}, {@code fulcrum-unkeyed-yield}, {@code fulcrum-keyed-shared}, {@code striped},
 * {@code striped-yield}. {@code fulcrum-keyed} is {@code submit(key, probe, reply)}; {@code fulcrum-unkeyed} the
 * same balancer with {@code submit(probe, reply)}; {@code striped} a bare Disruptor striped by {@code key % workers}
 * ({@link KeyStripedDisruptorContender}). Bounds as {@link Contenders}: ring {@link Contenders#RING_SIZE}, Fulcrum's
 * {@code maxPendingPerWorker} {@link Contenders#MAX_PENDING_PER_WORKER}, the ceiling of the engine's adaptive cap
 * (its default binding).
 */
final class KeyedContenders
{
    private KeyedContenders()
    {
    }

    /**
     * @param spec    as in the class comment.
     * @param workers worker threads; at least 1.
     * @return a started contender; close it.
     * @throws IllegalArgumentException on a spec that does not parse or does not apply to its kind.
     */
    static KeyedContender create(final String spec, final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
        final String[] tokens = spec.trim().split("-");
        final String kind = tokens[0];
        Boolean keyed = null;
        Policy policy = null;
        ThreadingMode mode = null;
        IdleKind idle = null;
        for (int i = 1; i < tokens.length; i++)
        {
            final String token = tokens[i];
            final Boolean k = ordering(token);
            final Policy p = Contenders.policy(token);
            final ThreadingMode m = Contenders.mode(token);
            final IdleKind w = IdleKind.fromToken(token);
            if (null != k && null == keyed)
            {
                keyed = k;
            }
            else if (null != p && null == policy)
            {
                policy = p;
            }
            else if (null != m && null == mode)
            {
                mode = m;
            }
            else if (null != w && null == idle)
            {
                idle = w;
            }
            else
            {
                throw new IllegalArgumentException(
                    "unknown or repeated token in keyed contender spec: token=" + token + ", spec=" + spec);
            }
        }
        final IdleKind idleKind = null == idle ? IdleKind.BACKOFF : idle;

        switch (kind)
        {
            case "fulcrum":
                return new FulcrumKeyedContender(
                    spec,
                    workers,
                    null == keyed || keyed,
                    new FulcrumSettings(
                        null == policy ? Policy.leastLoaded() : policy,
                        null == mode ? ThreadingMode.DEDICATED : mode,
                        idleKind,
                        Contenders.MAX_PENDING_PER_WORKER,
                        true),
                    Contenders.RING_SIZE);
            case "striped":
                if (null != keyed || null != policy || null != mode)
                {
                    throw new IllegalArgumentException(
                        "ordering, policy and mode apply to fulcrum only: spec=" + spec);
                }
                return new KeyStripedDisruptorContender(spec, workers, idleKind, Contenders.RING_SIZE);
            default:
                throw new IllegalArgumentException(
                    "unknown keyed contender kind: kind=" + kind + ", spec=" + spec + " (one of fulcrum, striped)");
        }
    }

    private static Boolean ordering(final String token)
    {
        switch (token)
        {
            case "keyed":
                return Boolean.TRUE;
            case "unkeyed":
                return Boolean.FALSE;
            default:
                return null;
        }
    }
}
