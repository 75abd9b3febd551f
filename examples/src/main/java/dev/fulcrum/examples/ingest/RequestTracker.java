package dev.fulcrum.examples.ingest;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Knows whether a connection is between a request's first line and its response, so that a shutdown can close idle
 * keep-alive connections at once and let busy ones finish. Sits between the codec and the aggregator, so it also
 * sees the aggregator's own 413s go out. Touched on the connection's event loop only.
 */
final class RequestTracker extends ChannelDuplexHandler
{
    private boolean inProgress;

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (msg instanceof HttpRequest)
        {
            inProgress = true;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) throws Exception
    {
        if (msg instanceof HttpResponse)
        {
            inProgress = false;
        }
        super.write(ctx, msg, promise);
    }

    /**
     * @return true from a request's first line until its response is written.
     */
    boolean inProgress()
    {
        return inProgress;
    }
}
