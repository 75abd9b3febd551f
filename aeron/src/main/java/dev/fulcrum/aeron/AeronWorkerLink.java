package dev.fulcrum.aeron;

import dev.fulcrum.WorkerLink;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * The balancer's side of one {@link AeronWorkerHost}: a {@link WorkerLink} whose requests go out on an Aeron
 * publication (the host's request stream) and whose replies come back on a subscription (the reply stream).
 * <pre>
 *   engine's worker thread                          host (another process, another machine)
 *   send(id, request) --REQUEST(id, payload)-----&gt;  task.execute(request)
 *   poll(replies)     &lt;--RESULT(id) / ERROR(id)----  reply
 *                     &lt;--HEARTBEAT------------------  every heartbeat interval, and
 *                     ---HEARTBEAT-----------------&gt;  back, so the host notices a dead balancer
 * </pre>
 * The exchange is {@link WireProtocol}'s. Until the host has answered the link's HELLO, {@link #send(long, Object)}
 * says {@link #NOT_CONNECTED}; after that only messages from the session that answered are heard, and any other's
 * are dropped and counted ({@link LinkCounters#ignoredMessages()}).
 * <p>
 * Publication results: {@code BACK_PRESSURED} and {@code ADMIN_ACTION} are {@link #FULL}; {@code NOT_CONNECTED}
 * (and no publication yet) is {@link #NOT_CONNECTED}; {@code CLOSED} and {@code MAX_POSITION_EXCEEDED} lose the
 * link. A request whose codec throws, or that encodes to more than the publication's {@code maxMessageLength},
 * is {@link #SENT} and answered by the next {@link #poll(Replies)} with that error: the link goes on.
 * <p>
 * Liveness: lost when the host's reply image goes away, or when the host has been silent (no heartbeat, no reply)
 * for the heartbeat timeout. Silence is measured up to the link's last poll that found nothing to read, not up to
 * {@code nowNs}: a link thread that was itself held up does not count heartbeats it has not read yet as missing.
 * A host whose task runs longer than the timeout sends no heartbeat meanwhile, and is lost.
 * <p>
 * Threading: as {@link WorkerLink} says, every method but the counters' getters is called on the link's one engine
 * thread. {@code send} and {@code poll} never block; the Aeron client's conductor runs on its own thread (Aeron's
 * default), so adding the publication and subscription is asked for at {@link #onStart()} and picked up, when ready,
 * by later calls. The counters may be read from any thread.
 * <p>
 * Steady state allocates nothing per message but what the result codec's {@code decode} does.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class AeronWorkerLink<Q, R> implements WorkerLink<Q, R>
{
    private static final int FRAGMENT_LIMIT = 64;

    private final Aeron aeron;
    private final boolean ownsAeron;
    private final String requestChannel;
    private final int requestStreamId;
    private final String replyChannel;
    private final int replyStreamId;
    private final Codec<Q> requestCodec;
    private final Codec<R> resultCodec;
    private final long heartbeatIntervalNs;
    private final long heartbeatTimeoutNs;
    private final long connectTimeoutNs;
    private final NanoClock clock;
    private final Predicate<? super Q> safeToRunTwice;
    private final String name;
    private final long nonce;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final ArrayDeque<LocalError> localErrors = new ArrayDeque<>();

    private final LinkCounters counters = new LinkCounters();
    private volatile LinkLoss loss = LinkLoss.NONE;

    private final Streams streams;
    private ExclusivePublication publication;
    private MessagePublisher publisher;
    private Subscription subscription;
    private boolean started;
    private volatile boolean acknowledged;
    private int hostSessionId;
    private long hostInstanceId;
    private long startNs;
    private long lastHelloNs;
    private long lastHeartbeatSentNs;
    private long pollNowNs;
    private volatile long lastHeardNs;
    private long lastQuietPollNs;
    private boolean heardThisPoll;
    private long lostAtNs;
    private Replies<? super R> replies;

    AeronWorkerLink(final AeronWorkerLinkBuilder<Q, R> builder, final Aeron aeron, final boolean ownsAeron)
    {
        this.aeron = aeron;
        this.ownsAeron = ownsAeron;
        this.requestChannel = builder.requestChannel;
        this.requestStreamId = builder.requestStreamId;
        this.replyChannel = builder.replyChannel;
        this.replyStreamId = builder.replyStreamId;
        this.requestCodec = builder.requestCodec;
        this.resultCodec = builder.resultCodec;
        this.heartbeatIntervalNs = builder.heartbeatIntervalNs;
        this.heartbeatTimeoutNs = builder.heartbeatTimeoutNs;
        this.connectTimeoutNs = builder.connectTimeoutNs;
        this.clock = builder.nanoClock;
        this.safeToRunTwice = builder.safeToRunTwice;
        this.name = builder.name;
        this.nonce = nonZeroRandom();
        this.streams = new Streams(aeron, requestChannel, requestStreamId, replyChannel, replyStreamId);
    }

    /**
     * @param requestCodec writes requests.
     * @param resultCodec  reads results; its {@code decode} must return an object the requester may keep (a new
     *                     one: {@link ByteArrayCodec#allocating()}, {@link DirectBufferCodec#copies()}).
     * @param <Q>          request type.
     * @param <R>          result type.
     * @return a builder.
     */
    public static <Q, R> AeronWorkerLinkBuilder<Q, R> builder(final Codec<Q> requestCodec, final Codec<R> resultCodec)
    {
        return new AeronWorkerLinkBuilder<>(requestCodec, resultCodec);
    }

    /**
     * Ask Aeron for the request publication and the reply subscription; they are picked up when ready.
     */
    @Override
    public void onStart()
    {
        if (started)
        {
            return;
        }
        started = true;
        startNs = clock.nanoTime();
        lastHeardNs = startNs;
        lastQuietPollNs = startNs;
        lastHelloNs = startNs - heartbeatIntervalNs;
        try
        {
            streams.add();
        }
        catch (final RuntimeException ex)
        {
            lose(aeron.isClosed() ? LinkLoss.AERON_CLOSED : LinkLoss.REGISTRATION_FAILED, startNs);
            throw ex;
        }
    }

    @Override
    public int send(final long id, final Q request)
    {
        if (LinkLoss.NONE != loss)
        {
            return NOT_CONNECTED;
        }
        if (!acknowledged)
        {
            onStart();
            return NOT_CONNECTED;
        }
        final long result;
        try
        {
            result = publisher.sendValue(WireProtocol.REQUEST, id, requestCodec, request);
        }
        catch (final Throwable ex)
        {
            localErrors.add(new LocalError(id, ex));
            return SENT;
        }
        if (result > 0)
        {
            LinkCounters.increment(counters.requestsSent);
            return SENT;
        }
        if (MessagePublisher.TOO_LONG == result)
        {
            localErrors.add(new LocalError(id, new IllegalArgumentException(
                "request encodes to more than the request publication's maxMessageLength: messageLength=" +
                publisher.lastLength() + ", maxMessageLength=" + publisher.maxMessageLength() + ", id=" + id +
                ", link=" + name)));
            return SENT;
        }
        return sendStatus(result);
    }

    @Override
    public int poll(final Replies<? super R> replies)
    {
        int work = deliverLocalErrors(replies);
        if (LinkLoss.NONE != loss)
        {
            return work;
        }
        onStart();
        work += pickUpRegistrations();
        final long nowNs = clock.nanoTime();
        pollNowNs = nowNs;
        if (null != subscription)
        {
            this.replies = replies;
            heardThisPoll = false;
            final int fragments;
            try
            {
                fragments = subscription.poll(assembler, FRAGMENT_LIMIT);
            }
            finally
            {
                this.replies = null;
            }
            if (!heardThisPoll && fragments < FRAGMENT_LIMIT)
            {
                lastQuietPollNs = nowNs; // drained, and nothing from the host: silence is measured up to here
            }
            work += fragments;
        }
        if (null != publisher)
        {
            work += sendControl(nowNs);
        }
        return work;
    }

    @Override
    public boolean isAlive(final long nowNs)
    {
        if (LinkLoss.NONE != loss)
        {
            return false;
        }
        if (aeron.isClosed())
        {
            return lose(LinkLoss.AERON_CLOSED, nowNs);
        }
        if (!started)
        {
            return true;
        }
        if (!acknowledged)
        {
            return nowNs - startNs < connectTimeoutNs || lose(LinkLoss.CONNECT_TIMEOUT, nowNs);
        }
        if (lastQuietPollNs - lastHeardNs >= heartbeatTimeoutNs)
        {
            return lose(LinkLoss.HEARTBEAT_TIMEOUT, nowNs);
        }
        final Image image = subscription.imageBySessionId(hostSessionId);
        if (null == image || image.isClosed() || image.isEndOfStream())
        {
            return lose(LinkLoss.IMAGE_UNAVAILABLE, nowNs);
        }
        if (publication.isClosed())
        {
            return lose(LinkLoss.PUBLICATION_CLOSED, nowNs);
        }
        return true;
    }

    @Override
    public boolean safeToRunTwice(final Q request)
    {
        return safeToRunTwice.test(request);
    }

    @Override
    public String name()
    {
        return name;
    }

    /**
     * Close the publication and the subscription (and the Aeron client, if the link made it). The host sees the
     * request image go and drops back to waiting for a balancer.
     */
    @Override
    public void close()
    {
        if (LinkLoss.NONE == loss)
        {
            lose(LinkLoss.CLOSED, clock.nanoTime());
        }
        streams.close();
        publication = null;
        publisher = null;
        subscription = null;
        if (ownsAeron)
        {
            CloseHelper.quietClose(aeron);
        }
    }

    /**
     * @return whether the host has answered the link's HELLO (requests can be sent).
     */
    public boolean isConnected()
    {
        return acknowledged && LinkLoss.NONE == loss;
    }

    /**
     * @return why the link is lost, or {@link LinkLoss#NONE}.
     */
    public LinkLoss lossReason()
    {
        return loss;
    }

    /**
     * @return the link's clock when it was found lost; meaningful once {@link #lossReason()} is not NONE.
     */
    public long lostAtNs()
    {
        return lostAtNs;
    }

    /**
     * @return the link's clock at the start of the poll that last read something from the host.
     */
    public long lastHeardNs()
    {
        return lastHeardNs;
    }

    /**
     * @return the Aeron session id of the host's replies, once connected.
     */
    public int hostSessionId()
    {
        return hostSessionId;
    }

    /**
     * @return the host's instance id (from its ACK), once connected.
     */
    public long hostInstanceId()
    {
        return hostInstanceId;
    }

    /**
     * @return what the link has done; readable from any thread.
     */
    public LinkCounters counters()
    {
        return counters;
    }

    @Override
    public String toString()
    {
        return "AeronWorkerLink{" + name + ", reply=" + replyChannel + " stream " + replyStreamId +
            ", connected=" + acknowledged + ", loss=" + loss + '}';
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!WireProtocol.isWellFormed(buffer, offset, length))
        {
            LinkCounters.increment(counters.malformedMessages);
            return;
        }
        final int type = WireProtocol.type(buffer, offset);
        final long id = WireProtocol.id(buffer, offset);
        if (!acknowledged)
        {
            if (WireProtocol.ACK == type && nonce == id && WireProtocol.LONG_BODY_LENGTH == length - WireProtocol.HEADER_LENGTH)
            {
                hostSessionId = header.sessionId();
                hostInstanceId = WireProtocol.longBody(buffer, offset);
                lastHeardNs = pollNowNs;
                heardThisPoll = true;
                lastHeartbeatSentNs = pollNowNs - heartbeatIntervalNs;
                acknowledged = true;
            }
            else
            {
                LinkCounters.increment(counters.ignoredMessages);
            }
            return;
        }
        if (header.sessionId() != hostSessionId)
        {
            LinkCounters.increment(counters.ignoredMessages);
            return;
        }
        lastHeardNs = pollNowNs;
        heardThisPoll = true;
        switch (type)
        {
            case WireProtocol.RESULT:
                onResult(buffer, offset, length, id);
                break;
            case WireProtocol.ERROR:
                LinkCounters.increment(counters.repliesReceived);
                replies.onError(id, new RemoteTaskException(name + ": " +
                    buffer.getStringWithoutLengthUtf8(offset + WireProtocol.HEADER_LENGTH,
                    length - WireProtocol.HEADER_LENGTH)));
                break;
            case WireProtocol.HEARTBEAT:
                LinkCounters.increment(counters.heartbeatsReceived);
                break;
            case WireProtocol.ACK:
                break; // the host's answer to a HELLO sent again before the first ACK arrived
            default:
                LinkCounters.increment(counters.malformedMessages);
                break;
        }
    }

    private void onResult(final DirectBuffer buffer, final int offset, final int length, final long id)
    {
        LinkCounters.increment(counters.repliesReceived);
        final R result;
        if (0 != (WireProtocol.flags(buffer, offset) & WireProtocol.FLAG_NULL_VALUE))
        {
            result = null;
        }
        else
        {
            try
            {
                result = resultCodec.decode(buffer, offset + WireProtocol.HEADER_LENGTH, length - WireProtocol.HEADER_LENGTH);
            }
            catch (final Throwable ex)
            {
                replies.onError(id, ex);
                return;
            }
        }
        replies.onResult(id, result);
    }

    private int sendControl(final long nowNs)
    {
        if (!acknowledged)
        {
            if (nowNs - lastHelloNs >= heartbeatIntervalNs && publication.isConnected())
            {
                final long result = publisher.sendHeader(WireProtocol.HELLO, 0, nonce);
                if (result > 0)
                {
                    lastHelloNs = nowNs;
                    return 1;
                }
                sendStatus(result);
            }
            return 0;
        }
        if (nowNs - lastHeartbeatSentNs >= heartbeatIntervalNs)
        {
            final long result = publisher.sendLong(WireProtocol.HEARTBEAT, nonce, nowNs);
            if (result > 0)
            {
                lastHeartbeatSentNs = nowNs;
                return 1;
            }
            sendStatus(result);
        }
        return 0;
    }

    private int sendStatus(final long result)
    {
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return FULL;
        }
        if (Publication.CLOSED == result)
        {
            lose(LinkLoss.PUBLICATION_CLOSED, clock.nanoTime());
        }
        else if (Publication.MAX_POSITION_EXCEEDED == result)
        {
            lose(LinkLoss.MAX_POSITION_EXCEEDED, clock.nanoTime());
        }
        return NOT_CONNECTED;
    }

    private int pickUpRegistrations()
    {
        if (null != publication && null != subscription)
        {
            return 0;
        }
        final int work;
        try
        {
            work = streams.pickUp();
        }
        catch (final RegistrationException ex)
        {
            lose(LinkLoss.REGISTRATION_FAILED, clock.nanoTime());
            throw ex;
        }
        publication = streams.publication();
        publisher = streams.publisher();
        subscription = streams.subscription();
        return work;
    }

    private int deliverLocalErrors(final Replies<? super R> replies)
    {
        int work = 0;
        LocalError error;
        while (null != (error = localErrors.poll()))
        {
            replies.onError(error.id, error.error);
            work++;
        }
        return work;
    }

    private boolean lose(final LinkLoss reason, final long nowNs)
    {
        if (LinkLoss.NONE == loss)
        {
            lostAtNs = nowNs;
            loss = reason;
        }
        return false;
    }

    private static long nonZeroRandom()
    {
        final SecureRandom random = new SecureRandom();
        long value;
        do
        {
            value = random.nextLong();
        }
        while (0 == value);
        return value;
    }

    /** A request answered by the link itself (its codec threw, or it was too long), delivered at the next poll. */
    private static final class LocalError
    {
        final long id;
        final Throwable error;

        LocalError(final long id, final Throwable error)
        {
            this.id = id;
            this.error = error;
        }
    }
}
