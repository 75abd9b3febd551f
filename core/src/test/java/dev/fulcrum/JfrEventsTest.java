package dev.fulcrum;

import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine's Flight Recorder events, with real threads: a recording that enables them gets a stall, the move off
 * the stalled worker, each kind of close with its outcome and counts, and the sampled requests, each with the
 * fields the scenario fixes; with no recording, or one that turns them off, nothing is committed. The recording
 * is dumped to a file and read back, so nothing waits for a stream to flush.
 */
class JfrEventsTest
{
    private static final long THRESHOLD_MS = 50;
    private static final long CLOSE_TIMEOUT_MS = 100;
    private static final int STUCK = -1;
    private static final List<String> ENGINE_EVENTS =
        List.of(StallEvent.NAME, RequestsMovedEvent.NAME, CloseEvent.NAME, RequestSampleEvent.NAME);

    /** Deadline closes log a warning on purpose: kept off the build's console. */
    @RegisterExtension
    final LogCapture log = new LogCapture();

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldRecordTheStallTheMoveTheMissedCloseAndSampledRequestsWithTheirFields() throws Exception
    {
        assumeTrue(FlightRecorder.isAvailable(), "skipped: this JVM has no Flight Recorder");
        final long committedBefore = JfrEvents.committed();
        final long startMs = System.currentTimeMillis();
        final List<RecordedEvent> events = record(JfrEventsTest::stallThenMissTheCloseDeadline);
        final long endMs = System.currentTimeMillis();

        final RecordedEvent stall = only(events, StallEvent.NAME);
        assertEquals(0, stall.getInt("worker"));
        assertEquals("fulcrum-worker-0", stall.getString("threadName"));
        assertEquals(Duration.ofMillis(THRESHOLD_MS), stall.getDuration("threshold"));
        assertTrue(stall.getDuration("stalledFor").compareTo(Duration.ofMillis(THRESHOLD_MS)) >= 0,
            () -> "stalled for " + stall.getDuration("stalledFor"));
        final long sinceMs = stall.getInstant("stalledSince").toEpochMilli();
        assertTrue(sinceMs >= startMs - 1_000 && sinceMs <= endMs, () -> "stalled since " + sinceMs +
            ", test from " + startMs + " to " + endMs);

        final RecordedEvent moved = only(events, RequestsMovedEvent.NAME);
        assertEquals(0, moved.getInt("worker"));
        assertEquals(2, moved.getLong("count"), "the two queued behind the stuck task");
        assertFalse(moved.getBoolean("leaving"), "stalled, not leaving");

        final RecordedEvent close = only(events, CloseEvent.NAME);
        assertEquals("close(Duration)", close.getString("call"));
        assertEquals(Duration.ofMillis(CLOSE_TIMEOUT_MS), close.getDuration("timeout"));
        assertFalse(close.getBoolean("drained"));
        assertEquals(1, close.getLong("abandoned"), "the stuck task");
        assertEquals(0, close.getLong("closedBeforeRun"));
        assertEquals(0, close.getLong("takenBack"));
        assertEquals(Thread.currentThread().getName(), close.getThread().getJavaName(), "on the closing thread");

        final List<RecordedEvent> samples = named(events, RequestSampleEvent.NAME);
        assertEquals(4, samples.size(), "one in one: every request that ran to its reply");
        int waitedForTheStall = 0;
        for (final RecordedEvent sample : samples)
        {
            assertEquals(1, sample.getInt("worker"), "worker 0 was stuck: all ran on worker 1");
            assertFalse(sample.getDuration("waitTime").isNegative());
            assertFalse(sample.getDuration("serviceTime").isNegative());
            if (sample.getDuration("waitTime").compareTo(Duration.ofMillis(THRESHOLD_MS)) >= 0)
            {
                waitedForTheStall++;
            }
        }
        assertTrue(waitedForTheStall >= 2, "the two moved requests waited at least the stall threshold");

        assertEquals(committedBefore + 7, JfrEvents.committed(), "stall, move, close and four samples");
    }

    @Test
    @Timeout(120)
    void shouldRecordEachKindOfCloseWithItsOutcome() throws Exception
    {
        assumeTrue(FlightRecorder.isAvailable(), "skipped: this JVM has no Flight Recorder");
        final List<RecordedEvent> events = record(() ->
        {
            try (Balancer<Integer, Integer> drained = simple().build())
            {
                assertTrue(drained.trySubmit(1, Reply.of((q, r) -> { }, (q, e) -> { })));
            } // close()
            final Balancer<Integer, Integer> timed = simple().build();
            assertTrue(timed.close(Duration.ofSeconds(30)));
            closeNowWithThreeQueued();
        });

        final List<RecordedEvent> closes = named(events, CloseEvent.NAME);
        closes.sort(Comparator.comparing(RecordedEvent::getStartTime));
        assertEquals(List.of("close()", "close(Duration)", "closeNow()"),
            closes.stream().map(e -> e.getString("call")).collect(Collectors.toList()));
        final RecordedEvent close = closes.get(0);
        assertTrue(close.getBoolean("drained"));
        assertEquals(Long.MAX_VALUE, close.getLong("timeout"), "no deadline");
        final RecordedEvent timed = closes.get(1);
        assertTrue(timed.getBoolean("drained"));
        assertEquals(Duration.ofSeconds(30), timed.getDuration("timeout"));
        assertEquals(0, timed.getLong("abandoned") + timed.getLong("closedBeforeRun"));
        final RecordedEvent now = closes.get(2);
        assertFalse(now.getBoolean("drained"));
        assertEquals(3, now.getLong("takenBack"), "the three queued behind the running one");
    }

    @Test
    @Timeout(120)
    void shouldCommitNothingWhenNoRecordingWantsTheEvents() throws Exception
    {
        assumeTrue(FlightRecorder.isAvailable(), "skipped: this JVM has no Flight Recorder");
        assumeTrue(noRecordingRuns(), "skipped: a recording runs in this JVM (-XX:StartFlightRecording?)");
        final long before = JfrEvents.committed();

        stallThenMissTheCloseDeadline(); // no recording (Flight Recorder initialized or not, by earlier tests)
        assertEquals(before, JfrEvents.committed(), "nothing committed with no recording");

        // A running recording enables every event it does not name at the event's default, which for these is
        // on: a recording that does not want them turns them off by name.
        try (Recording other = new Recording())
        {
            other.enable("jdk.ThreadStart");
            for (final String name : ENGINE_EVENTS)
            {
                other.disable(name);
            }
            other.start();
            stallThenMissTheCloseDeadline();
            other.stop();
        }
        assertEquals(before, JfrEvents.committed(), "nothing committed with a recording that turns them off");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private interface Scenario
    {
        void run() throws Exception;
    }

    /**
     * Start a recording of the engine's four events, run the scenario, and read back what was recorded.
     */
    private List<RecordedEvent> record(final Scenario scenario) throws Exception
    {
        final Path file = dir.resolve("fulcrum-" + System.nanoTime() + ".jfr");
        try (Recording recording = new Recording())
        {
            for (final String name : ENGINE_EVENTS)
            {
                recording.enable(name).withoutThreshold();
            }
            recording.start();
            scenario.run();
            recording.stop();
            recording.dump(file);
        }
        return RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().startsWith("dev.fulcrum."))
            .collect(Collectors.toList());
    }

    /**
     * Worker 0 stuck in a task with two requests queued behind it, which move to worker 1 once it is stalled; then
     * a close whose deadline passes with the task still stuck.
     */
    private static void stallThenMissTheCloseDeadline() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger done = new AtomicInteger();
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                if (STUCK == q && !release.await(60, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("never released");
                }
                return q;
            })
            .workers(2)
            .maxPendingPerWorker(4)
            .policy(Policy.roundRobin())
            .stallThreshold(Duration.ofMillis(THRESHOLD_MS))
            .errorHandler(reported::add)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .latencyHistograms(true)
            .jfrRequestSampling(1)
            .build();
        try
        {
            final Reply<Integer, Integer> reply = Reply.of((q, r) -> done.incrementAndGet(), (q, e) -> errors.add(e));
            // round robin from worker 0: the stuck one, 0 and 2 on worker 0; 1 and 3 on worker 1. 0 and 2 move.
            assertTrue(balancer.trySubmitAll(List.of(STUCK, 1, 0, 3, 2), reply));
            Await.until(() -> 1 == balancer.stats().totalStalls(), () -> balancer.stats().toString());
            Await.until(() -> 4 == done.get(), () -> "done=" + done.get() + " " + balancer.stats());
            // the mover counts what it moved after dispatching the copies, which worker 1 may have run already
            Await.until(() -> 2 == balancer.stats().moved(0), () -> balancer.stats().toString());
            assertFalse(balancer.close(Duration.ofMillis(CLOSE_TIMEOUT_MS)), "the stuck task outlives the deadline");
        }
        finally
        {
            release.countDown();
        }
        assertEquals(1, errors.size(), errors::toString);
        assertInstanceOf(AbandonedByCloseException.class, errors.get(0));
        assertEquals(1, reported.size(), reported::toString);
        assertInstanceOf(WorkerStalledException.class, reported.get(0));
    }

    /**
     * One worker, no stall detection: a task stuck with three requests queued behind it, then closeNow().
     */
    private static void closeNowWithThreeQueued() throws Exception
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                if (STUCK == q)
                {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS); // closeNow's interrupt ends it
                }
                return q;
            })
            .workers(1)
            .maxPendingPerWorker(4)
            .stallThreshold(Duration.ZERO)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff)
            .build();
        try
        {
            final Reply<Integer, Integer> reply = Reply.of((q, r) -> { }, (q, e) -> { });
            assertTrue(balancer.trySubmit(STUCK, reply));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            assertTrue(balancer.trySubmitAll(List.of(1, 2, 3), reply));
            Await.until(() -> 4 == balancer.stats().pending(0), () -> "queued behind: " + balancer.stats());
            assertEquals(3, balancer.closeNow().size());
        }
        finally
        {
            release.countDown();
        }
    }

    private static BalancerBuilder<Integer, Integer> simple()
    {
        return Balancer.builder((Integer q) -> q)
            .workers(1)
            .balancerIdleStrategy(EngineTestSupport::backoff)
            .workerIdleStrategy(EngineTestSupport::backoff);
    }

    private static boolean noRecordingRuns()
    {
        return !FlightRecorder.isInitialized() || FlightRecorder.getFlightRecorder().getRecordings().stream()
            .noneMatch(r -> RecordingState.RUNNING == r.getState());
    }

    private static List<RecordedEvent> named(final List<RecordedEvent> events, final String name)
    {
        return events.stream().filter(e -> name.equals(e.getEventType().getName())).collect(Collectors.toList());
    }

    private static RecordedEvent only(final List<RecordedEvent> events, final String name)
    {
        final List<RecordedEvent> matching = named(events, name);
        assertEquals(1, matching.size(), () -> name + ": " + matching);
        return matching.get(0);
    }
}
