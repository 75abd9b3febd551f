package dev.fulcrum;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

/**
 * A worker stalled: its task (with its reply) ran past the stall threshold. Committed by the watchdog when it
 * reports the stall ({@link Watchdog}); the stalled thread's stack is in the {@link WorkerStalledException} the
 * error handler gets, so the event records none of its own.
 */
@Name(StallEvent.NAME)
@Label("Worker Stall")
@Category("Fulcrum")
@Description("A worker's task (with its reply) ran past the stall threshold; the work queued behind it moves")
@StackTrace(false)
final class StallEvent extends Event
{
    static final String NAME = "dev.fulcrum.WorkerStall";

    @Label("Worker")
    @Description("The worker's slot, from 0")
    int worker;

    @Label("Thread Name")
    String threadName;

    @Label("Stalled For")
    @Description("How long the task had been running when the stall was seen")
    @Timespan(Timespan.NANOSECONDS)
    long stalledFor;

    @Label("Stalled Since")
    @Description("When the task started, as near as the watchdog can tell")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    long stalledSince;

    @Label("Stall Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;
}
