package dev.fulcrum;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the engine fires its Flight Recorder events. Each method first asks whether a running recording wants the
 * event, and allocates and computes nothing when none does: before Flight Recorder is initialized (no recording
 * ever started in this JVM) that is one volatile load ({@link FlightRecorder#isInitialized()}), which also keeps
 * the engine from initializing Flight Recorder itself; after, the event type's {@link EventType#isEnabled()}.
 */
final class JfrEvents
{
    /** Events committed by this JVM's balancers, for tests: it moves only while a recording wants them. */
    private static final AtomicLong COMMITTED = new AtomicLong();

    private JfrEvents()
    {
    }

    /**
     * Loaded only once Flight Recorder is initialized: looking an event type up initializes its metadata.
     */
    private static final class Types
    {
        static final EventType STALL = EventType.getEventType(StallEvent.class);
        static final EventType MOVED = EventType.getEventType(RequestsMovedEvent.class);
        static final EventType CLOSE = EventType.getEventType(CloseEvent.class);
        static final EventType SAMPLE = EventType.getEventType(RequestSampleEvent.class);
    }

    private static boolean recording()
    {
        return FlightRecorder.isInitialized();
    }

    /**
     * Watchdog: a worker stalled.
     */
    static void stall(final int worker, final String threadName, final long stalledNs, final long thresholdNs)
    {
        if (recording() && Types.STALL.isEnabled())
        {
            final StallEvent event = new StallEvent();
            if (event.shouldCommit())
            {
                event.worker = worker;
                event.threadName = threadName;
                event.stalledFor = stalledNs;
                event.stalledSince = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(stalledNs);
                event.threshold = thresholdNs;
                event.commit();
                COMMITTED.incrementAndGet();
            }
        }
    }

    /**
     * Baton holder: {@code count} requests moved off {@code worker}.
     */
    static void moved(final int worker, final long count, final boolean leaving)
    {
        if (recording() && Types.MOVED.isEnabled())
        {
            final RequestsMovedEvent event = new RequestsMovedEvent();
            if (event.shouldCommit())
            {
                event.worker = worker;
                event.count = count;
                event.leaving = leaving;
                event.commit();
                COMMITTED.incrementAndGet();
            }
        }
    }

    /**
     * Closing thread, as a close starts.
     *
     * @return the event to pass to {@link #closed}, begun now; null when no recording wants it.
     */
    static CloseEvent closeStarted()
    {
        if (recording() && Types.CLOSE.isEnabled())
        {
            final CloseEvent event = new CloseEvent();
            event.begin();
            return event;
        }
        return null;
    }

    /**
     * Closing thread, as the close returns.
     *
     * @param event from {@link #closeStarted()}; null does nothing.
     */
    static void closed(
        final CloseEvent event,
        final String call,
        final long timeoutNs,
        final boolean drained,
        final long closedBeforeRun,
        final long abandoned,
        final long takenBack)
    {
        if (null != event && event.shouldCommit())
        {
            event.call = call;
            event.timeout = timeoutNs;
            event.drained = drained;
            event.closedBeforeRun = closedBeforeRun;
            event.abandoned = abandoned;
            event.takenBack = takenBack;
            event.commit();
            COMMITTED.incrementAndGet();
        }
    }

    /**
     * Worker, one request in N.
     */
    static void requestSample(final int worker, final long waitNs, final long serviceNs)
    {
        if (recording() && Types.SAMPLE.isEnabled())
        {
            final RequestSampleEvent event = new RequestSampleEvent();
            if (event.shouldCommit())
            {
                event.worker = worker;
                event.waitTime = waitNs;
                event.serviceTime = serviceNs;
                event.commit();
                COMMITTED.incrementAndGet();
            }
        }
    }

    /**
     * For tests.
     *
     * @return events committed so far in this JVM.
     */
    static long committed()
    {
        return COMMITTED.get();
    }
}
