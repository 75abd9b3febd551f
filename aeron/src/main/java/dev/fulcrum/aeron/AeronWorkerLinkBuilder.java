package dev.fulcrum.aeron;

import io.aeron.Aeron;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Settings of an {@link AeronWorkerLink}; {@link #build()} checks them on the caller's thread.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class AeronWorkerLinkBuilder<Q, R>
{
    final Codec<Q> requestCodec;
    final Codec<R> resultCodec;
    Aeron aeron;
    String aeronDirectoryName;
    String requestChannel;
    int requestStreamId = Settings.DEFAULT_REQUEST_STREAM_ID;
    String replyChannel;
    int replyStreamId = Settings.DEFAULT_REPLY_STREAM_ID;
    long heartbeatIntervalNs = Settings.DEFAULT_HEARTBEAT_INTERVAL_NS;
    long heartbeatTimeoutNs = Settings.DEFAULT_TIMEOUT_NS;
    long connectTimeoutNs = Settings.DEFAULT_CONNECT_TIMEOUT_NS;
    NanoClock nanoClock = SystemNanoClock.INSTANCE;
    Predicate<? super Q> safeToRunTwice = request -> false;
    String name;

    AeronWorkerLinkBuilder(final Codec<Q> requestCodec, final Codec<R> resultCodec)
    {
        this.requestCodec = Objects.requireNonNull(requestCodec, "requestCodec");
        this.resultCodec = Objects.requireNonNull(resultCodec, "resultCodec");
    }

    /**
     * An Aeron client to use; the link does not close it. Without one, the link connects a client of its own (to
     * {@link #aeronDirectoryName(String)}'s media driver) and closes it with the link. One client for all the links
     * of a process is the cheaper way: each client has a conductor thread.
     *
     * @param aeron a connected client.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> aeron(final Aeron aeron)
    {
        this.aeron = Objects.requireNonNull(aeron, "aeron");
        return this;
    }

    /**
     * @param aeronDirectoryName the media driver's directory, for a client of the link's own; default Aeron's.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * @param channel where the host listens for requests, for example {@code aeron:udp?endpoint=host:40123}.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> requestChannel(final String channel)
    {
        this.requestChannel = channel;
        return this;
    }

    /**
     * @param streamId the request stream; default 1001.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> requestStreamId(final int streamId)
    {
        this.requestStreamId = streamId;
        return this;
    }

    /**
     * @param channel where this link listens for the host's replies, for example
     *                {@code aeron:udp?endpoint=localhost:40124}: the link binds to it, so it names one of this
     *                machine's interfaces (loopback unless the host is elsewhere).
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> replyChannel(final String channel)
    {
        this.replyChannel = channel;
        return this;
    }

    /**
     * @param streamId the reply stream; default 1002.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> replyStreamId(final int streamId)
    {
        this.replyStreamId = streamId;
        return this;
    }

    /**
     * @param interval how often the link sends HELLO (until answered) and then HEARTBEAT; default 50 ms.
     * @param unit     its unit.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> heartbeatInterval(final long interval, final TimeUnit unit)
    {
        this.heartbeatIntervalNs = unit.toNanos(interval);
        return this;
    }

    /**
     * @param timeout how long the host may be silent (no heartbeat, no reply) before the link is lost; default
     *                500 ms, and more than the host's heartbeat interval. Aeron's own liveness timeouts (10 s by
     *                default) are a second, slower net: a reply image that goes away loses the link at once.
     * @param unit    its unit.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> heartbeatTimeout(final long timeout, final TimeUnit unit)
    {
        this.heartbeatTimeoutNs = unit.toNanos(timeout);
        return this;
    }

    /**
     * @param timeout how long the link waits for a host to answer its HELLO before it is lost; default 5 s.
     * @param unit    its unit.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> connectTimeout(final long timeout, final TimeUnit unit)
    {
        this.connectTimeoutNs = unit.toNanos(timeout);
        return this;
    }

    /**
     * @param clock stamps what arrives; the {@code nowNs} the engine passes to {@code isAlive} must come from the
     *              same clock ({@link System#nanoTime()}, the default). For tests that step time by hand.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> nanoClock(final NanoClock clock)
    {
        this.nanoClock = Objects.requireNonNull(clock, "nanoClock");
        return this;
    }

    /**
     * @param safeToRunTwice whether an unkeyed request sent and never answered may run again on another worker when
     *                       the link is lost; default never.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> safeToRunTwice(final Predicate<? super Q> safeToRunTwice)
    {
        this.safeToRunTwice = Objects.requireNonNull(safeToRunTwice, "safeToRunTwice");
        return this;
    }

    /**
     * @param name the link's name in messages; default the request channel and stream.
     * @return this.
     */
    public AeronWorkerLinkBuilder<Q, R> name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * Check the settings, connect the link's own Aeron client if none was given (this waits for the media driver,
     * and fails if there is none), and make the link. Its publication and subscription are added when the worker
     * thread starts it ({@link AeronWorkerLink#onStart()}).
     *
     * @return a link, not started.
     * @throws IllegalArgumentException naming a setting and its value.
     */
    public AeronWorkerLink<Q, R> build()
    {
        Settings.channel("requestChannel", requestChannel);
        Settings.channel("replyChannel", replyChannel);
        Settings.positive("heartbeatIntervalNs", heartbeatIntervalNs);
        Settings.positive("heartbeatTimeoutNs", heartbeatTimeoutNs);
        Settings.positive("connectTimeoutNs", connectTimeoutNs);
        Settings.timeoutAboveInterval("heartbeatTimeoutNs", heartbeatTimeoutNs, "heartbeatIntervalNs", heartbeatIntervalNs);
        if (null == name)
        {
            name = requestChannel + " stream " + requestStreamId;
        }
        final boolean ownsAeron = null == aeron;
        final Aeron client = ownsAeron ? Settings.connect(aeronDirectoryName) : aeron;
        return new AeronWorkerLink<>(this, client, ownsAeron);
    }
}
