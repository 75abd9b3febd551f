package dev.fulcrum.aeron;

import dev.fulcrum.Task;
import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.security.SecureRandom;

/**
 * Serves a {@link Task} to one balancer's {@link AeronWorkerLink}: reads REQUEST messages from its request stream,
 * runs the task on the agent's thread, one request at a time, and answers each with RESULT or ERROR on its reply
 * stream, in order; sends HEARTBEAT every interval while it serves. The protocol is {@link WireProtocol}'s.
 * <p>
 * One balancer at a time: the host adopts the session of the first HELLO it hears while it serves no one, and
 * drops anything from any other session (counted, {@link HostCounters#ignoredMessages()}). When that balancer goes (its request
 * image goes away, or it is silent for the balancer timeout) the host drops back to waiting for the next HELLO; a
 * reply it could not send by then is dropped (the balancer has answered that request with its own error). The host
 * never exits on its own.
 * <p>
 * Failures: anything the task throws (an {@link Error} too), and a request the codec cannot decode or a result it
 * cannot encode, is sent as an ERROR with the failure's text; the host goes on. An interrupt flag the task left set
 * is cleared and counted ({@link HostCounters#interruptsCleared()}); the first is reported to the error handler. A reply the
 * publication cannot take now is kept and sent again before the host reads another request: under back pressure
 * for as long as the balancer's image is there, with no subscriber at all for the balancer timeout at most.
 * <p>
 * Threading: an Agrona {@link Agent}; run it on an {@code AgentRunner} with a back-off or sleeping idle strategy,
 * or step it with an {@code AgentInvoker}. Its {@link #counters()} may be read from any thread. With codecs that
 * reuse what they decode into ({@link ByteArrayCodec#reusing()}, {@link DirectBufferCodec#views()}) the host
 * allocates nothing per message, apart from what the task does; failures allocate their text.
 * <p>
 * Liveness: the balancer's silence is measured up to the host's last poll that found nothing, so a long task does
 * not make the host give up on a balancer whose heartbeats are queued; but the host sends no heartbeat while a task
 * runs, and a task that runs longer than the link's heartbeat timeout loses the link.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class AeronWorkerHost<Q, R> implements Agent
{
    private static final int FRAGMENT_LIMIT = 16;
    private static final int NO_PENDING = 0;
    private static final long NOT_BLOCKED = Long.MIN_VALUE;

    private final Aeron aeron;
    private final boolean ownsAeron;
    private final String requestChannel;
    private final int requestStreamId;
    private final String replyChannel;
    private final int replyStreamId;
    private final Task<Q, R> task;
    private final Codec<Q> requestCodec;
    private final Codec<R> resultCodec;
    private final long heartbeatIntervalNs;
    private final long balancerTimeoutNs;
    private final NanoClock clock;
    private final ErrorHandler errorHandler;
    private final long instanceId;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onMessage);

    private final HostCounters counters = new HostCounters();
    private volatile boolean ready;
    private volatile boolean serving;
    private volatile int balancerSessionId;

    private final Streams streams;
    private Subscription requests;
    private ExclusivePublication replyPublication;
    private MessagePublisher publisher;
    private long balancerNonce;
    private long pollStartNs;
    private long lastHeardNs;
    private long lastQuietPollNs;
    private long lastHeartbeatSentNs;
    private boolean heardThisPoll;

    private int pendingType = NO_PENDING;
    private long pendingId;
    private R pendingResult;
    private String pendingError;
    /** Since when the pending reply found no subscriber, or {@link #NOT_BLOCKED}. */
    private long notConnectedSinceNs = NOT_BLOCKED;

    AeronWorkerHost(final AeronWorkerHostBuilder<Q, R> builder, final Aeron aeron, final boolean ownsAeron)
    {
        this.aeron = aeron;
        this.ownsAeron = ownsAeron;
        this.requestChannel = builder.requestChannel;
        this.requestStreamId = builder.requestStreamId;
        this.replyChannel = builder.replyChannel;
        this.replyStreamId = builder.replyStreamId;
        this.task = builder.task;
        this.requestCodec = builder.requestCodec;
        this.resultCodec = builder.resultCodec;
        this.heartbeatIntervalNs = builder.heartbeatIntervalNs;
        this.balancerTimeoutNs = builder.balancerTimeoutNs;
        this.clock = builder.nanoClock;
        this.errorHandler = builder.errorHandler;
        this.instanceId = new SecureRandom().nextLong();
        this.streams = new Streams(aeron, replyChannel, replyStreamId, requestChannel, requestStreamId);
    }

    /**
     * @param task         what the host runs.
     * @param requestCodec reads requests: {@link ByteArrayCodec#reusing()} or {@link DirectBufferCodec#views()}
     *                     allocate nothing, if the task lets go of its request when it returns.
     * @param resultCodec  writes results.
     * @param <Q>          request type.
     * @param <R>          result type.
     * @return a builder.
     */
    public static <Q, R> AeronWorkerHostBuilder<Q, R> builder(
        final Task<Q, R> task, final Codec<Q> requestCodec, final Codec<R> resultCodec)
    {
        return new AeronWorkerHostBuilder<>(task, requestCodec, resultCodec);
    }

    /**
     * Run a host from the command line: {@code --help} lists the options.
     *
     * @param args the options.
     * @throws Exception if the host cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        HostCommandLine.run(args);
    }

    @Override
    public void onStart()
    {
        streams.add();
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        int work = 0;
        if (!ready)
        {
            work += pickUpRegistrations();
            if (!ready)
            {
                return work;
            }
        }
        work += heartbeat(nowNs);
        if (NO_PENDING != pendingType)
        {
            if (!sendPending())
            {
                checkBlockedBalancer(nowNs);
                return work;
            }
            work++;
        }
        pollStartNs = nowNs;
        heardThisPoll = false;
        final int fragments = requests.controlledPoll(assembler, FRAGMENT_LIMIT);
        if (!heardThisPoll && fragments < FRAGMENT_LIMIT)
        {
            lastQuietPollNs = nowNs; // drained, and nothing from the balancer: silence is measured up to here
        }
        if (serving)
        {
            checkBalancer();
        }
        return work + fragments;
    }

    @Override
    public void onClose()
    {
        streams.close();
        requests = null;
        replyPublication = null;
        publisher = null;
        ready = false;
        serving = false;
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
    }

    @Override
    public String roleName()
    {
        return "fulcrum-aeron-host";
    }

    /**
     * @return whether the host has its subscription and publication (it can hear a HELLO).
     */
    public boolean isReady()
    {
        return ready;
    }

    /**
     * @return whether the host serves a balancer now.
     */
    public boolean isServing()
    {
        return serving;
    }

    /**
     * @return the Aeron session id of the balancer's requests, while {@link #isServing()}.
     */
    public int balancerSessionId()
    {
        return balancerSessionId;
    }

    /**
     * @return this host's instance id, sent in its ACK and heartbeats; new each time a host is made.
     */
    public long instanceId()
    {
        return instanceId;
    }

    /**
     * @return what the host has done; readable from any thread.
     */
    public HostCounters counters()
    {
        return counters;
    }

    private Action onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!WireProtocol.isWellFormed(buffer, offset, length))
        {
            HostCounters.increment(counters.malformedMessages);
            return Action.CONTINUE;
        }
        final int type = WireProtocol.type(buffer, offset);
        final long id = WireProtocol.id(buffer, offset);
        final int sessionId = header.sessionId();
        if (WireProtocol.HELLO == type)
        {
            return onHello(sessionId, id);
        }
        if (!serving || sessionId != balancerSessionId)
        {
            HostCounters.increment(counters.ignoredMessages);
            return Action.CONTINUE;
        }
        lastHeardNs = pollStartNs;
        heardThisPoll = true;
        if (WireProtocol.REQUEST == type)
        {
            return onRequest(buffer, offset, length, id);
        }
        if (WireProtocol.HEARTBEAT != type)
        {
            HostCounters.increment(counters.malformedMessages);
        }
        return Action.CONTINUE;
    }

    private Action onHello(final int sessionId, final long nonce)
    {
        if (serving)
        {
            if (sessionId != balancerSessionId || nonce != balancerNonce)
            {
                HostCounters.increment(counters.ignoredMessages); // another balancer: it waits until this one is lost
                return Action.CONTINUE;
            }
            // the same balancer again: its first ACK is still on the way; answer once more
        }
        else
        {
            balancerSessionId = sessionId;
            balancerNonce = nonce;
            lastQuietPollNs = pollStartNs;
            lastHeartbeatSentNs = pollStartNs - heartbeatIntervalNs;
            serving = true;
            HostCounters.increment(counters.balancersServed);
        }
        lastHeardNs = pollStartNs;
        heardThisPoll = true;
        pendingType = WireProtocol.ACK;
        pendingId = nonce;
        return sendPending() ? Action.CONTINUE : Action.BREAK;
    }

    private Action onRequest(final DirectBuffer buffer, final int offset, final int length, final long id)
    {
        HostCounters.increment(counters.requestsRun);
        R result = null;
        String failure = null;
        try
        {
            final Q request = requestCodec.decode(
                buffer, offset + WireProtocol.HEADER_LENGTH, length - WireProtocol.HEADER_LENGTH);
            try
            {
                result = task.execute(request);
            }
            catch (final Throwable ex)
            {
                HostCounters.increment(counters.tasksFailed);
                failure = String.valueOf(ex);
            }
        }
        catch (final Throwable ex)
        {
            failure = "the host could not decode the request: " + ex;
        }
        if (Thread.interrupted())
        {
            HostCounters.increment(counters.interruptsCleared);
            if (1 == counters.interruptsCleared())
            {
                errorHandler.onError(new IllegalStateException(
                    "a task left the host thread's interrupt flag set: cleared (and counted from now on), id=" + id));
            }
        }
        if (null == failure)
        {
            pendingType = WireProtocol.RESULT;
            pendingResult = result;
        }
        else
        {
            pendingType = WireProtocol.ERROR;
            pendingError = failure;
        }
        pendingId = id;
        final boolean sent = sendPending();
        heartbeat(clock.nanoTime()); // between requests, so a batch of slow ones still lets heartbeats out
        return sent ? Action.CONTINUE : Action.BREAK;
    }

    /**
     * @return true if the pending message went (or was dropped for good), false to try again later.
     */
    private boolean sendPending()
    {
        final long result;
        if (WireProtocol.ACK == pendingType)
        {
            result = publisher.sendLong(WireProtocol.ACK, pendingId, instanceId);
        }
        else if (WireProtocol.ERROR == pendingType)
        {
            result = publisher.sendError(pendingId, pendingError);
        }
        else if (null == pendingResult)
        {
            result = publisher.sendHeader(WireProtocol.RESULT, WireProtocol.FLAG_NULL_VALUE, pendingId);
        }
        else
        {
            long sent;
            try
            {
                sent = publisher.sendValue(WireProtocol.RESULT, pendingId, resultCodec, pendingResult);
            }
            catch (final Throwable ex)
            {
                return replaceWithError("the host could not encode the result: " + ex);
            }
            if (MessagePublisher.TOO_LONG == sent)
            {
                return replaceWithError("the result encodes to more than the reply publication's maxMessageLength: " +
                    "messageLength=" + publisher.lastLength() + ", maxMessageLength=" + publisher.maxMessageLength());
            }
            result = sent;
        }
        if (result > 0)
        {
            clearPending();
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            replyPublicationFailed(result);
            return true;
        }
        if (Publication.NOT_CONNECTED == result)
        {
            if (NOT_BLOCKED == notConnectedSinceNs)
            {
                notConnectedSinceNs = clock.nanoTime();
            }
        }
        else
        {
            notConnectedSinceNs = NOT_BLOCKED;
        }
        return false; // back pressured, admin action, not connected: again on the next duty cycle
    }

    private boolean replaceWithError(final String failure)
    {
        pendingType = WireProtocol.ERROR;
        pendingResult = null;
        pendingError = failure;
        return sendPending();
    }

    private void clearPending()
    {
        notConnectedSinceNs = NOT_BLOCKED;
        pendingType = NO_PENDING;
        pendingResult = null;
        pendingError = null;
    }

    private int heartbeat(final long nowNs)
    {
        // never ahead of the ACK: the link hears nothing from a host before it has been answered
        if (serving && WireProtocol.ACK != pendingType && nowNs - lastHeartbeatSentNs >= heartbeatIntervalNs)
        {
            final long result = publisher.sendLong(WireProtocol.HEARTBEAT, instanceId, nowNs);
            if (result > 0)
            {
                lastHeartbeatSentNs = nowNs;
                return 1;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                replyPublicationFailed(result);
            }
        }
        return 0;
    }

    private void checkBalancer()
    {
        if (lastQuietPollNs - lastHeardNs >= balancerTimeoutNs || isBalancerImageGone())
        {
            dropBalancer();
        }
    }

    /**
     * A reply that cannot go: back pressure is a live balancer reading slowly, so only its image can end the wait;
     * no subscriber at all (NOT_CONNECTED) for the balancer timeout is a balancer gone.
     */
    private void checkBlockedBalancer(final long nowNs)
    {
        if (serving && (isBalancerImageGone() ||
            (notConnectedSinceNs != NOT_BLOCKED && nowNs - notConnectedSinceNs >= balancerTimeoutNs)))
        {
            dropBalancer();
        }
    }

    private boolean isBalancerImageGone()
    {
        final Image image = requests.imageBySessionId(balancerSessionId);
        return null == image || image.isClosed() || image.isEndOfStream();
    }

    private void dropBalancer()
    {
        serving = false;
        HostCounters.increment(counters.balancersLost);
        if (WireProtocol.RESULT == pendingType || WireProtocol.ERROR == pendingType)
        {
            HostCounters.increment(counters.repliesDropped);
        }
        clearPending();
    }

    private void replyPublicationFailed(final long result)
    {
        errorHandler.onError(new IllegalStateException("the reply publication can take no more (" +
            Publication.errorString(result) + "): replyChannel=" + replyChannel + ", replyStreamId=" + replyStreamId +
            "; the balancer is dropped and the publication made again"));
        if (serving)
        {
            dropBalancer();
        }
        clearPending();
        streams.replacePublication();
        replyPublication = null;
        publisher = null;
        ready = false;
    }

    private int pickUpRegistrations()
    {
        final int work = streams.pickUp();
        requests = streams.subscription();
        replyPublication = streams.publication();
        publisher = streams.publisher();
        ready = streams.isReady();
        return work;
    }
}
