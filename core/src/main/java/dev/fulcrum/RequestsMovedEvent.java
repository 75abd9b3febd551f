package dev.fulcrum;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Requests a stalled or leaving worker held but had not started were moved to other workers. Committed on the
 * baton holder's thread by {@link StallMover}, once per move that moved anything.
 */
@Name(RequestsMovedEvent.NAME)
@Label("Requests Moved")
@Category("Fulcrum")
@Description("Requests queued or parked on a stalled or leaving worker, not started, moved to other workers")
@StackTrace(false)
final class RequestsMovedEvent extends Event
{
    static final String NAME = "dev.fulcrum.RequestsMoved";

    @Label("Worker")
    @Description("The stalled or leaving worker's slot, from 0")
    int worker;

    @Label("Count")
    @Description("Requests moved off it in this move")
    long count;

    @Label("Leaving")
    @Description("True when the worker is being removed, false when it is stalled")
    boolean leaving;
}
