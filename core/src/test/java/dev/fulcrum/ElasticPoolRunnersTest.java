package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A pool that grows and shrinks for as long as it runs (a server resized live, the {@link Autoscaler}) keeps
 * nothing of the workers that left: once a removal's future completes, the engine no longer holds the removed
 * worker's runner, its idle strategy or its ended thread (the list of runners is walked by every submitter that
 * waits on a full ring, to refuse engine threads).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ElasticPoolRunnersTest
{
    private static final int CYCLES = 200;

    @Test
    void shouldKeepOneRunnerPerLiveThreadWhenWorkersAreAddedAndRemovedManyTimes() throws Exception
    {
        try (Balancer<Integer, Integer> balancer = Balancer.<Integer, Integer>builder(n -> n)
            .workers(1)
            .maxWorkers(2)
            .threadingMode(ThreadingMode.DEDICATED)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .build())
        {
            final Engine engine = engine(balancer);
            final int atStart = engine.runnerCount(); // balancer, worker 0, watchdog
            for (int i = 0; i < CYCLES; i++)
            {
                final int w = balancer.addWorker();
                assertEquals(atStart + 1, engine.runnerCount(), "after add " + i);
                balancer.removeWorker(w).get(10, TimeUnit.SECONDS);
                assertEquals(atStart, engine.runnerCount(), "after removal " + i);
            }
        }
    }

    private static Engine engine(final Balancer<?, ?> balancer) throws ReflectiveOperationException
    {
        final Field engine = Balancer.class.getDeclaredField("engine");
        engine.setAccessible(true);
        return (Engine)engine.get(balancer);
    }
}
