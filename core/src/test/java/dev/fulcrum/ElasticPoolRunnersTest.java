package dev.fulcrum;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool that grows and shrinks for as long as it runs (a server resized live, the {@link Autoscaler}) must not
 * keep what every worker that ever ran left behind. Today it does: {@code Engine.runners}, the list of every engine
 * thread's runner, gets one more entry per {@link Balancer#addWorker()} and none fewer when a removed worker's
 * thread ends, so each add/remove cycle keeps an {@code EngineRunner}, its idle strategy and the ended
 * {@code Thread}; each addition copies the whole list (a {@code CopyOnWriteArrayList}), and
 * {@code isEngineThread}, which a submitter waiting on a full ring calls, walks all of it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ElasticPoolRunnersTest
{
    private static final int CYCLES = 200;

    @Disabled("core bug, reported and not fixed here: Engine.runners keeps the runner of every removed worker; " +
        "run with -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition to see it fail")
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
            for (int i = 0; i < CYCLES; i++)
            {
                final int w = balancer.addWorker();
                balancer.removeWorker(w).get(10, TimeUnit.SECONDS);
            }

            final int runners = runners(balancer).size();
            // the balancer's thread, the watchdog's, and at most maxWorkers workers' threads
            assertTrue(runners <= 2 + 2, "runners kept after " + CYCLES + " add/remove cycles: " + runners);
        }
    }

    private static List<?> runners(final Balancer<?, ?> balancer) throws ReflectiveOperationException
    {
        final Field engine = Balancer.class.getDeclaredField("engine");
        engine.setAccessible(true);
        final Field runners = Engine.class.getDeclaredField("runners");
        runners.setAccessible(true);
        return (List<?>)runners.get(engine.get(balancer));
    }
}
