package dev.fulcrum.examples.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code MAX_CONNECTIONS} open connections: one more is answered a canned 503 with {@code Retry-After}
 * and closed at once, before anything of it is read. (The kernel has accepted it already; closing it is what
 * frees the descriptor and the memory.)
 * <p>
 * Threading: {@link #admit(Channel)} on the event loop that initialises a new connection; the count is shared by
 * all event loops.
 */
@ChannelHandler.Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter
{
    private final int maxConnections;
    private final Refusals refusals;
    private final ByteBuf refusal;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionCap(final int maxConnections, final int retryAfterSeconds, final Refusals refusals)
    {
        this.maxConnections = maxConnections;
        this.refusals = refusals;
        final String body = "{\"error\":\"too many connections, retry later\"}";
        this.refusal = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: " +
            retryAfterSeconds + "\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
            StandardCharsets.US_ASCII));
    }

    /**
     * Count a new connection, and say whether it may stay.
     *
     * @param channel just accepted.
     * @return true when under the cap; false when it must be refused (add this handler to its pipeline).
     */
    boolean admit(final Channel channel)
    {
        final int now = open.incrementAndGet();
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        if (now > maxConnections)
        {
            refusals.count(Refusals.Kind.CONNECTION_CAP, "maxConnections=" + maxConnections);
            return false;
        }
        return true;
    }

    /**
     * @return connections open now, refused ones until they are closed included.
     */
    int open()
    {
        return open.get();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        ctx.writeAndFlush(refusal.duplicate()).addListener(ChannelFutureListener.CLOSE);
    }
}
