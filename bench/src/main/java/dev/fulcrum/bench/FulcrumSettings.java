package dev.fulcrum.bench;

import dev.fulcrum.BalancerBuilder;
import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

/**
 * What a Fulcrum contender sets on its {@link BalancerBuilder} beyond the task, the workers, the ring size and the
 * thread factory. A setting left {@code null} (or 0) is never called on the builder, so the engine's own default
 * applies, whatever it is in this build: {@link #DEFAULTS} is Fulcrum as a user who takes every default gets it.
 * Immutable.
 */
final class FulcrumSettings
{
    /** No setting: the engine's default policy, threading mode (chosen from the machine), idle strategy and caps. */
    static final FulcrumSettings DEFAULTS = new FulcrumSettings(null, null, null, 0, true);

    /** {@code null}: the engine's default, {@code leastLoaded}. */
    final Policy policy;
    /** {@code null}: the engine's default, chosen from the machine and the worker count. */
    final ThreadingMode threadingMode;
    /** {@code null} or {@link IdleKind#BACKOFF}: the engine's default idle strategy. */
    final IdleKind idle;
    /** 0: the engine's default; otherwise the ceiling of the adaptive cap, or the cap itself when binding is fixed. */
    final int maxPendingPerWorker;
    /** false: {@code adaptiveBinding(false)}, a fixed cap; true leaves the engine's default (adaptive). */
    final boolean adaptiveBinding;

    /**
     * @param policy              {@code null} for the engine's default.
     * @param threadingMode       {@code null} for the engine's default.
     * @param idle                {@code null} or {@link IdleKind#BACKOFF} for the engine's default.
     * @param maxPendingPerWorker 0 for the engine's default, else 1 or more.
     * @param adaptiveBinding     false to fix the cap.
     */
    FulcrumSettings(
        final Policy policy,
        final ThreadingMode threadingMode,
        final IdleKind idle,
        final int maxPendingPerWorker,
        final boolean adaptiveBinding)
    {
        if (maxPendingPerWorker < 0)
        {
            throw new IllegalArgumentException(
                "maxPendingPerWorker must be >= 0 (0: the engine's default): maxPendingPerWorker=" +
                maxPendingPerWorker);
        }
        this.policy = policy;
        this.threadingMode = threadingMode;
        this.idle = idle;
        this.maxPendingPerWorker = maxPendingPerWorker;
        this.adaptiveBinding = adaptiveBinding;
    }

    /**
     * Call on {@code builder} the setters of every setting that is not left to the engine.
     *
     * @param builder the balancer's builder.
     */
    void applyTo(final BalancerBuilder<?, ?> builder)
    {
        if (null != policy)
        {
            builder.policy(policy);
        }
        if (null != threadingMode)
        {
            builder.threadingMode(threadingMode);
        }
        if (null != idle && null != idle.newAgronaIdleStrategy())
        {
            builder.balancerIdleStrategy(idle::newAgronaIdleStrategy).workerIdleStrategy(idle::newAgronaIdleStrategy);
        }
        if (maxPendingPerWorker > 0)
        {
            builder.maxPendingPerWorker(maxPendingPerWorker);
        }
        if (!adaptiveBinding)
        {
            builder.adaptiveBinding(false);
        }
    }

    @Override
    public String toString()
    {
        return "policy=" + (null == policy ? "default" : policy.name()) +
            ", threadingMode=" + (null == threadingMode ? "default" : threadingMode) +
            ", idle=" + (null == idle ? "default" : idle.token()) +
            ", maxPendingPerWorker=" + (0 == maxPendingPerWorker ? "default" : maxPendingPerWorker) +
            ", binding=" + (adaptiveBinding ? "adaptive" : "fixed");
    }
}
