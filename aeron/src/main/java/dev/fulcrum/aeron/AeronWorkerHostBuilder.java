package dev.fulcrum.aeron;

import dev.fulcrum.Task;
import io.aeron.Aeron;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Settings of an {@link AeronWorkerHost}; {@link #build()} checks them on the caller's thread.
 *
 * @param <Q> request type.
 * @param <R> result type.
 */
public final class AeronWorkerHostBuilder<Q, R>
{
    final Task<Q, R> task;
    final Codec<Q> requestCodec;
    final Codec<R> resultCodec;
    Aeron aeron;
    String aeronDirectoryName;
    String requestChannel;
    int requestStreamId = Settings.DEFAULT_REQUEST_STREAM_ID;
    String replyChannel;
    int replyStreamId = Settings.DEFAULT_REPLY_STREAM_ID;
    long heartbeatIntervalNs = Settings.DEFAULT_HEARTBEAT_INTERVAL_NS;
    long balancerTimeoutNs = Settings.DEFAULT_TIMEOUT_NS;
    NanoClock nanoClock = SystemNanoClock.INSTANCE;
    ErrorHandler errorHandler = Throwable::printStackTrace;

    AeronWorkerHostBuilder(final Task<Q, R> task, final Codec<Q> requestCodec, final Codec<R> resultCodec)
    {
        this.task = Objects.requireNonNull(task, "task");
        this.requestCodec = Objects.requireNonNull(requestCodec, "requestCodec");
        this.resultCodec = Objects.requireNonNull(resultCodec, "resultCodec");
    }

    /**
     * An Aeron client to use; the host does not close it. Without one, the host connects a client of its own (to
     * {@link #aeronDirectoryName(String)}'s media driver) and closes it when the agent closes.
     *
     * @param aeron a connected client.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> aeron(final Aeron aeron)
    {
        this.aeron = Objects.requireNonNull(aeron, "aeron");
        return this;
    }

    /**
     * @param aeronDirectoryName the media driver's directory, for a client of the host's own; default Aeron's.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /**
     * @param channel where the host listens for requests, for example {@code aeron:udp?endpoint=localhost:40123}:
     *                the host binds to it, so it names the one interface to serve on (loopback unless the balancer
     *                is on another machine).
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> requestChannel(final String channel)
    {
        this.requestChannel = channel;
        return this;
    }

    /**
     * @param streamId the request stream; default 1001.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> requestStreamId(final int streamId)
    {
        this.requestStreamId = streamId;
        return this;
    }

    /**
     * @param channel where the balancer's link listens for replies, for example
     *                {@code aeron:udp?endpoint=balancer:40124}.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> replyChannel(final String channel)
    {
        this.replyChannel = channel;
        return this;
    }

    /**
     * @param streamId the reply stream; default 1002.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> replyStreamId(final int streamId)
    {
        this.replyStreamId = streamId;
        return this;
    }

    /**
     * @param interval how often the host sends HEARTBEAT while it serves a balancer; default 50 ms. Checked
     *                 between requests: a task that runs longer delays it.
     * @param unit     its unit.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> heartbeatInterval(final long interval, final TimeUnit unit)
    {
        this.heartbeatIntervalNs = unit.toNanos(interval);
        return this;
    }

    /**
     * @param timeout how long the balancer may be silent before the host stops serving it and waits for the next
     *                HELLO; default 500 ms, and more than the link's heartbeat interval.
     * @param unit    its unit.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> balancerTimeout(final long timeout, final TimeUnit unit)
    {
        this.balancerTimeoutNs = unit.toNanos(timeout);
        return this;
    }

    /**
     * @param clock the host's time, for heartbeats and the balancer's timeout; default {@link System#nanoTime()}.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> nanoClock(final NanoClock clock)
    {
        this.nanoClock = Objects.requireNonNull(clock, "nanoClock");
        return this;
    }

    /**
     * @param errorHandler told what goes wrong in the host itself (not a task's failure, which goes to the balancer
     *                     as an ERROR reply); default prints the stack trace.
     * @return this.
     */
    public AeronWorkerHostBuilder<Q, R> errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
        return this;
    }

    /**
     * Check the settings, connect the host's own Aeron client if none was given (this waits for the media driver,
     * and fails if there is none), and make the host. Its subscription and publication are added when its agent
     * starts.
     *
     * @return a host: an {@link org.agrona.concurrent.Agent} to run on an {@code AgentRunner} (or step with an
     * {@code AgentInvoker}).
     * @throws IllegalArgumentException naming a setting and its value.
     */
    public AeronWorkerHost<Q, R> build()
    {
        Settings.channel("requestChannel", requestChannel);
        Settings.channel("replyChannel", replyChannel);
        Settings.positive("heartbeatIntervalNs", heartbeatIntervalNs);
        Settings.positive("balancerTimeoutNs", balancerTimeoutNs);
        final boolean ownsAeron = null == aeron;
        final Aeron client = ownsAeron ? Settings.connect(aeronDirectoryName) : aeron;
        return new AeronWorkerHost<>(this, client, ownsAeron);
    }
}
