package dev.fulcrum;

import dev.fulcrum.stat.CountersFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The counters file is in Agrona's layouts, proved by Agrona itself: a child JVM reads the file with Agrona's
 * {@code CountersReader} and {@code ErrorLogReader} ({@link AgronaCountersProbe}) and must find every counter (id,
 * type id, worker, value, label) and every error (count, first and last time, text) that {@link CountersFile} finds.
 * The child gets {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, which Agrona 2's buffers need; the
 * engine that wrote the file, in this JVM, runs without it.
 */
class AgronaLayoutTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldBeReadByAgronasOwnReadersAsFulcrumReadsIt() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(null != java, "skipped: the java binary of this JVM is unknown, so no child JVM can be started");

        final ManualClock clock = new ManualClock();
        try (Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) -> 10 / q)
            .workers(2)
            .maxPendingPerWorker(2)
            .ringSize(16)
            .stallThreshold(Duration.ofMillis(100))
            .errorHandler(t -> { })
            .threadingMode(ThreadingMode.INVOKER)
            .manualWorkers()
            .manualWatchdog(clock)
            .countersDirectory(dir)
            .build())
        {
            final Reply<Integer, Integer> reply = Reply.of(
                (q, r) ->
                {
                    if (q > 3)
                    {
                        throw new IllegalStateException("reply refused a result: résumé");
                    }
                },
                (q, e) -> { });
            // key 1 on worker 0: 1, 5, then 7 parked; key 0 on worker 1: 0 (the task throws), 2
            for (final int q : new int[] {1, 0, 5, 7, 2})
            {
                assertTrue(balancer.trySubmit(q % 2, q, reply));
            }
            balancer.invoker().invoke();
            for (int round = 0; round < 2; round++)
            {
                // replies to 5 and then 7 throw, from the same place: one distinct error, seen twice
                balancer.workerInvoker(0).invoke();
                balancer.workerInvoker(1).invoke();
                balancer.invoker().invoke();
            }
            assertTrue(balancer.trySubmit(3, 9, reply)); // stays in flight: a hot key to name
            balancer.invoker().invoke();
            balancer.balancerAgent().hotKeys.sample(); // this thread is the only one that runs cycles
            balancer.counters().latency(1, Counters.SERVICE_P99, 4_321);
            clock.advanceMs(5);
            balancer.watchdogInvoker().invoke();

            final Path path = balancer.counters().file();
            final CountersFile file = CountersFile.open(path);
            final List<String> expected = new ArrayList<>();
            expected.add("magic 52434c46 pid " + ProcessHandle.current().pid());
            file.forEachCounter((id, type, worker, label, value) ->
                expected.add("counter " + id + " " + type + " " + worker + " " + value + " " + label));
            final int errors = file.forEachError((count, first, last, text) ->
                expected.add("error " + count + " " + first + " " + last + " " + text.lines().findFirst().orElse("")));
            assertEquals(1, errors, expected::toString);
            assertTrue(expected.contains("counter 0 1000 -1 6 dispatched"), expected::toString);
            assertTrue(expected.stream().anyMatch(line -> line.endsWith(" 1 hot key in flight #1: key=3")),
                expected::toString);
            assertTrue(expected.stream().anyMatch(line -> line.endsWith("worker 1: service p99 ns") &&
                line.contains(" 4321 ")), expected::toString);
            assertTrue(expected.stream().anyMatch(line -> line.startsWith("error 2 ") &&
                line.endsWith("java.lang.IllegalStateException: reply refused a result: résumé")),
                expected::toString);

            final Process child = new ProcessBuilder(java, "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
                "-cp", System.getProperty("java.class.path"), AgronaCountersProbe.class.getName(), path.toString())
                .redirectErrorStream(true)
                .start();
            final byte[] out = child.getInputStream().readAllBytes();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
            final String printed = new String(out, StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), printed);
            assertEquals(expected.stream().collect(Collectors.joining("\n")), printed.strip());
        }
    }
}
