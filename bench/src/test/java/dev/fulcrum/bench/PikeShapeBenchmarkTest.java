package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PikeShapeBenchmarkTest
{
    @Test
    void shouldProduceAResultForEveryPlatformEngineWithPlatformRequestersWhenRunOnceWithoutForking()
        throws Exception
    {
        final List<String> impls = List.of("fulcrum", "fulcrum-shared", "forkJoin");
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(PikeShapeBenchmark.class)
            .exclude(method("virtualRequesters"))
            .param("impl", impls.toArray(new String[0])));
        assertEquals(Set.copyOf(impls), seen(results));
    }

    @Test
    void shouldProduceAResultForEveryContenderWithVirtualRequestersInAForkWhenTheJdkHasVirtualThreads()
        throws Exception
    {
        assumeTrue(VirtualThreads.available(), () -> "skipped: virtual threads need a JDK 21 or later, this JVM is " +
            System.getProperty("java.version") + " (run the bench tests with a JDK 21+ to include them)");
        final String[] impls = PikeShapeBenchmark.class.getField("impl").getAnnotation(Param.class).value();
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(PikeShapeBenchmark.class)
            .exclude(method("platformRequesters"))
            .forks(1) // the fork is where the method's -Djmh.executor=VIRTUAL applies
            .param("impl", impls));
        assertEquals(Set.of(impls), seen(results));
    }

    @Test
    void shouldRunTheVirtualEngineWithPlatformRequestersInProcessWhenTheJdkHasVirtualThreads() throws Exception
    {
        assumeTrue(VirtualThreads.available(), () -> "skipped: virtual threads need a JDK 21 or later, this JVM is " +
            System.getProperty("java.version"));
        final Collection<RunResult> results = JmhSmoke.run(JmhSmoke.once(PikeShapeBenchmark.class)
            .exclude(method("virtualRequesters"))
            .param("impl", VirtualEngineContender.DEDICATED, VirtualEngineContender.SHARED));
        assertEquals(Set.of(VirtualEngineContender.DEDICATED, VirtualEngineContender.SHARED), seen(results));
    }

    @Test
    void shouldSayWhichJavaItRunsOnWhenVirtualThreadsAreMissingAndNameAnUnknownSpec()
    {
        if (!VirtualThreads.available())
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, VirtualThreads::factory);
            assertTrue(ex.getMessage().contains("java.version=" + System.getProperty("java.version")),
                ex::getMessage);
        }
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> VirtualEngineContender.create("fulcrum-vt", 2));
        assertTrue(ex.getMessage().contains("spec=fulcrum-vt"), ex::getMessage);
    }

    private static String method(final String name)
    {
        return "^" + Pattern.quote(PikeShapeBenchmark.class.getName() + "." + name) + "$";
    }

    private static Set<String> seen(final Collection<RunResult> results)
    {
        final Set<String> seen = new TreeSet<>();
        for (final RunResult result : results)
        {
            assertTrue(result.getPrimaryResult().getScore() > 0, () -> "no round trips: " + result.getParams());
            seen.add(result.getParams().getParam("impl"));
        }
        return seen;
    }
}
