package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.results.RunResult;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void shouldFailSayingNoReplyCameWhenAParkedRequesterIsInterrupted() throws Exception
    {
        final String message = interruptedRoundTrip(false); // the request is dropped: no reply, no unpark
        assertTrue(message.startsWith("no reply within the iteration's timeout: request 1"), message);
    }

    @Test
    void shouldFailSayingTheWakeUpWasLostWhenTheReplyCameButNoUnpark() throws Exception
    {
        final String message = interruptedRoundTrip(true);
        assertTrue(message.startsWith("the reply came but its unpark never woke the requester"), message);
    }

    /**
     * A requester's round trip through a contender that drops the request, on a thread of its own; once that thread
     * is parked, optionally mark the request done without unparking it (a lost wake-up), then interrupt the thread
     * as JMH's iteration timeout does.
     *
     * @return the message of what the round trip threw.
     */
    private static String interruptedRoundTrip(final boolean replyWithoutUnpark) throws Exception
    {
        final AtomicReference<Probe> sent = new AtomicReference<>();
        final Contender dropping = new AbstractCallbackContender("dropping", 1)
        {
            @Override
            public void send(final Probe probe)
            {
                sent.set(probe);
            }

            @Override
            public void close()
            {
            }
        };
        final PikeShapeBenchmark.Requester requester = new PikeShapeBenchmark.Requester();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread t = new Thread(() ->
        {
            try
            {
                requester.roundTrip(dropping);
            }
            catch (final Throwable ex)
            {
                thrown.set(ex);
            }
        }, "requester");
        t.setDaemon(true);
        t.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (null == sent.get() || Thread.State.WAITING != t.getState())
        {
            assertTrue(System.nanoTime() < deadline, "the requester never parked after sending");
            LockSupport.parkNanos(100_000);
        }
        if (replyWithoutUnpark)
        {
            sent.get().markDone();
        }
        t.interrupt();
        t.join(30_000);
        assertFalse(t.isAlive(), "the interrupted requester kept waiting");
        assertTrue(thrown.get() instanceof IllegalStateException, () -> "threw " + thrown.get());
        return thrown.get().getMessage();
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
