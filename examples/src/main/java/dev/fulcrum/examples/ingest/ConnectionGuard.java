package dev.fulcrum.examples.ingest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One connection's bounds: how long it may take over each phase of a request, and its share of the budget for
 * unfinished bodies. Sits after the HTTP codec and before the aggregator, so it sees a request's headers, each
 * chunk of its body and its end, and the response going out; its {@link #firstByteWatcher()} sits before the
 * codec, to see a request's first byte.
 * <pre>
 *   IDLE --first byte--&gt; HEADERS --headers done--&gt; BODY --body done--&gt; ANSWERING --response--&gt; IDLE
 *   IDLE_TIMEOUT_MS      HEADER_TIMEOUT_MS          BODY_TIMEOUT_MS    (the server's own time: none)
 * </pre>
 * A phase that outlives its timeout closes the connection (counted by kind). The check runs every
 * {@code tickMs} on the connection's event loop, so a phase change costs two field writes and no timer.
 * <p>
 * Threading: the connection's event loop, except {@link #evict(long)} and the two fields that
 * {@link UnfinishedBodies} guards with its lock.
 */
final class ConnectionGuard extends ChannelDuplexHandler implements Runnable
{
    private enum Phase
    {
        IDLE, HEADERS, BODY, ANSWERING
    }

    private final long headerTimeoutNs;
    private final long bodyTimeoutNs;
    private final long idleTimeoutNs;
    private final long tickMs;
    private final UnfinishedBodies budget;
    private final Refusals refusals;
    private final String retryAfter;

    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> ticker;
    private Phase phase = Phase.IDLE;
    private long phaseStartNs;
    /** The current body was refused: drop the rest of it, the connection is closing. */
    private boolean discarding;
    /** The current request was answered before its body ended (Netty's 413). */
    private boolean answeredEarly;

    /** Guarded by {@link UnfinishedBodies}: bytes of this connection's unfinished body charged to the budget. */
    long unfinishedBytes;
    /** Guarded by {@link UnfinishedBodies} for reading elsewhere; written on the event loop under it. */
    long bodySeq;

    ConnectionGuard(final IngestConfig config, final long tickMs, final UnfinishedBodies budget,
        final Refusals refusals)
    {
        this.headerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.headerTimeoutMs());
        this.bodyTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.bodyTimeoutMs());
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMs());
        this.tickMs = tickMs;
        this.budget = budget;
        this.refusals = refusals;
        this.retryAfter = Integer.toString(config.retryAfterSeconds());
    }

    /**
     * @return a handler for the head of the pipeline that starts the header timeout at a request's first byte.
     */
    ChannelInboundHandlerAdapter firstByteWatcher()
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg)
            {
                if (Phase.IDLE == phase && msg instanceof ByteBuf && ((ByteBuf)msg).isReadable())
                {
                    enter(Phase.HEADERS);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /**
     * @return true from a request's headers until its response is written (shutdown lets those finish).
     */
    boolean inProgress()
    {
        return Phase.BODY == phase || Phase.ANSWERING == phase;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        phaseStartNs = System.nanoTime();
        ticker = ctx.executor().scheduleAtFixedRate(this, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        ticker.cancel(false);
        budget.release(this);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof HttpRequest)
        {
            discarding = false;
            answeredEarly = false;
            enter(Phase.BODY);
            bodySeq++; // read under the budget's lock only after a charge, which happens after this on this thread
        }
        if (msg instanceof HttpContent)
        {
            if (discarding)
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            final int bytes = ((HttpContent)msg).content().readableBytes();
            if (bytes > 0 && !budget.tryCharge(this, bytes))
            {
                ReferenceCountUtil.release(msg);
                refuseBody();
                return;
            }
            if (msg instanceof LastHttpContent)
            {
                budget.release(this); // the whole body is here: the queue's budget takes over
                enter(answeredEarly ? Phase.IDLE : Phase.ANSWERING);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        if (msg instanceof HttpResponse && ((HttpResponse)msg).status().codeClass() != HttpStatusClass.INFORMATIONAL)
        {
            if (Phase.ANSWERING == phase)
            {
                enter(Phase.IDLE);
            }
            else if (Phase.BODY == phase)
            {
                answeredEarly = true; // the aggregator's 413: the rest of the body is read and dropped
            }
        }
        ctx.write(msg, promise);
    }

    /**
     * The budget chose this connection's body to make room; runs the refusal on the event loop.
     *
     * @param seq the body the budget saw (a later body of the same connection is not refused).
     */
    void evict(final long seq)
    {
        ctx.executor().execute(() ->
        {
            if (seq == bodySeq && Phase.BODY == phase && !discarding && ctx.channel().isActive())
            {
                refuseBody();
            }
        });
    }

    /** The periodic check: close a connection whose phase has outlived its timeout. */
    @Override
    public void run()
    {
        final long inPhaseNs = System.nanoTime() - phaseStartNs;
        switch (phase)
        {
            case IDLE:
                expireAfter(inPhaseNs, idleTimeoutNs, Refusals.Kind.IDLE_TIMEOUT);
                break;
            case HEADERS:
                expireAfter(inPhaseNs, headerTimeoutNs, Refusals.Kind.HEADER_TIMEOUT);
                break;
            case BODY:
                if (!discarding)
                {
                    expireAfter(inPhaseNs, bodyTimeoutNs, Refusals.Kind.BODY_TIMEOUT);
                }
                break;
            default:
                break;
        }
    }

    private void expireAfter(final long inPhaseNs, final long timeoutNs, final Refusals.Kind kind)
    {
        if (inPhaseNs >= timeoutNs && ctx.channel().isActive())
        {
            refusals.count(kind, "timeoutMs=" + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " remote=" +
                ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    private void refuseBody()
    {
        discarding = true;
        budget.release(this);
        refusals.count(Refusals.Kind.BODY_BUDGET, "remote=" + ctx.channel().remoteAddress());
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.copiedBuffer(
            "{\"error\":\"too many unfinished bodies: send the body at once, retry later\"}", StandardCharsets.UTF_8));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
            .set(HttpHeaderNames.RETRY_AFTER, retryAfter)
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void enter(final Phase next)
    {
        phase = next;
        phaseStartNs = System.nanoTime();
    }
}
