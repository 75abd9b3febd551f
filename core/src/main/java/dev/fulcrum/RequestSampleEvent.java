package dev.fulcrum;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One request in N ({@link BalancerBuilder#jfrRequestSampling(int)}), with the same stamps as the latency
 * histograms. Committed on the worker's thread after the reply.
 */
@Name(RequestSampleEvent.NAME)
@Label("Request Sample")
@Category("Fulcrum")
@Description("One request in N: how long it waited for a worker and how long its task ran")
@StackTrace(false)
final class RequestSampleEvent extends Event
{
    static final String NAME = "dev.fulcrum.RequestSample";

    @Label("Worker")
    @Description("The worker's slot, from 0")
    int worker;

    @Label("Wait")
    @Description("From the submit (the ring slot filled) to the start of the task: ring, balancer, worker queue")
    @Timespan(Timespan.NANOSECONDS)
    long waitTime;

    @Label("Service")
    @Description("From the start of the task to its end, the reply excluded")
    @Timespan(Timespan.NANOSECONDS)
    long serviceTime;
}
