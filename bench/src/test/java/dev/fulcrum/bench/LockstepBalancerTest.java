package dev.fulcrum.bench;

import dev.fulcrum.Policy;
import dev.fulcrum.Task;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockstepBalancerTest
{
    private static final int ROUNDS = 200;

    @Test
    void shouldRunNoTaskDuringTheTimedCycleAndFillEveryWorkerEachRoundWhenLeastLoaded()
    {
        final Watched watched = new Watched();
        try (LockstepBalancer rig = new LockstepBalancer(4, Policy.leastLoaded(), false, 8, watched))
        {
            watched.rig.set(rig);
            for (int r = 0; r < ROUNDS; r++)
            {
                assertTrue(rig.round() > 0);
                assertEquals(4 * 8, rig.lastDispatched(), "a saturated cycle fills every worker: round " + r);
            }
            rig.verify();
            assertEquals(ROUNDS * 4 * 8, rig.dispatched());
            assertEquals(ROUNDS * 4 * 8, watched.ran.get(), "every worker ran all it was given before the next cycle");
        }
        assertEquals(0, watched.ranInCycle.get(), "a task ran while the balancer's cycle was being timed");
    }

    @Test
    void shouldDispatchOnePerWorkerEachRoundWhenJoinIdleQueue()
    {
        final Watched watched = new Watched();
        try (LockstepBalancer rig = new LockstepBalancer(3, Policy.joinIdleQueue(), false, 16, watched))
        {
            watched.rig.set(rig);
            for (int r = 0; r < ROUNDS; r++)
            {
                rig.round();
                assertEquals(3, rig.lastDispatched(), "joinIdleQueue holds one per worker: round " + r);
            }
            rig.verify();
        }
        assertEquals(0, watched.ranInCycle.get(), "a task ran while the balancer's cycle was being timed");
    }

    @Test
    void shouldKeepEveryRequestAndReplyToEachWhenKeyedAndClosedWithABacklog()
    {
        for (final String policy : Policy.NAMES)
        {
            final Watched watched = new Watched();
            final long dispatched;
            try (LockstepBalancer rig = new LockstepBalancer(2, Policy.byName(policy), true, 4, watched))
            {
                watched.rig.set(rig);
                for (int r = 0; r < ROUNDS; r++)
                {
                    rig.round();
                }
                rig.verify();
                dispatched = rig.dispatched();
            }
            // close() ran the ring's backlog too, and threw had any probe gone without a reply
            assertEquals(dispatched + 2 * 4, watched.ran.get(), policy);
            assertEquals(0, watched.ranInCycle.get(), policy);
        }
    }

    @Test
    void shouldNameTheValueWhenWorkersOrMaxPendingIsBad()
    {
        final IllegalArgumentException workers = assertThrows(IllegalArgumentException.class,
            () -> new LockstepBalancer(0, Policy.leastLoaded(), false, 16, BenchTask.INSTANCE));
        assertTrue(workers.getMessage().contains("workers=0"), workers::getMessage);
        final IllegalArgumentException pending = assertThrows(IllegalArgumentException.class,
            () -> new LockstepBalancer(2, Policy.leastLoaded(), false, 0, BenchTask.INSTANCE));
        assertTrue(pending.getMessage().contains("maxPending=0"), pending::getMessage);
    }

    /**
     * {@link BenchTask}, counting its runs and those that happened while the rig's cycle was timed.
     */
    private static final class Watched implements Task<Probe, Probe>
    {
        final AtomicReference<LockstepBalancer> rig = new AtomicReference<>();
        final AtomicLong ran = new AtomicLong();
        final AtomicLong ranInCycle = new AtomicLong();

        @Override
        public Probe execute(final Probe probe)
        {
            final LockstepBalancer r = rig.get();
            if (null != r && r.inCycle())
            {
                ranInCycle.incrementAndGet();
            }
            ran.incrementAndGet();
            return BenchTask.INSTANCE.execute(probe);
        }
    }
}
