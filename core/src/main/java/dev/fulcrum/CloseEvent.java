package dev.fulcrum;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * A call to {@link Balancer#close()}, {@link Balancer#close(java.time.Duration)} or {@link Balancer#closeNow()}
 * and its outcome; the event's duration is the call's. Committed on the closing thread, with its stack trace (who
 * closed). A close refused on an engine thread commits nothing.
 */
@Name(CloseEvent.NAME)
@Label("Balancer Close")
@Category("Fulcrum")
@Description("A close of a balancer: which call, its deadline, whether everything drained, what the close answered")
final class CloseEvent extends Event
{
    static final String NAME = "dev.fulcrum.Close";

    @Label("Call")
    @Description("close(), close(Duration) or closeNow()")
    String call;

    @Label("Timeout")
    @Description("close(Duration)'s timeout; Long.MAX_VALUE ns for close(), 0 for closeNow()")
    @Timespan(Timespan.NANOSECONDS)
    long timeout;

    @Label("Drained")
    @Description("True when every accepted request was replied to by the engine in time; false for closeNow()")
    boolean drained;

    @Label("Closed Before Run")
    @Description("Requests the close answered with ClosedBeforeRunException (a deadline passed before they started)")
    long closedBeforeRun;

    @Label("Abandoned")
    @Description("Requests the close answered with AbandonedByCloseException (a deadline passed while they ran)")
    long abandoned;

    @Label("Taken Back")
    @Description("Requests closeNow() returned without running them")
    long takenBack;
}
