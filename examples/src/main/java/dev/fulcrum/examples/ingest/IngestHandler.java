package dev.fulcrum.examples.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.fulcrum.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * One connection's requests, on its event loop: route, split the body into payloads, claim them on the ring whole,
 * and answer at once. Nothing here waits: a full ring is a 503, not a blocked event loop.
 */
final class IngestHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    static final String PAYLOADS_PATH = "/v1/payloads";
    static final String STATS_PATH = "/v1/stats";

    private static final System.Logger LOG = System.getLogger(IngestHandler.class.getName());
    private static final AsciiString POST_ONLY = AsciiString.cached("POST");
    private static final AsciiString GET_ONLY = AsciiString.cached("GET");

    private final IngestServer server;
    private final PayloadParser parser;
    private final Reply<Payload, Void> reply;
    private final AsciiString retryAfter;
    /** Reused for every body of this connection: the ring copies the references out during the claim. */
    private final ArrayList<Payload> batch = new ArrayList<>();

    IngestHandler(final IngestServer server, final PayloadParser parser, final Reply<Payload, Void> reply)
    {
        this.server = server;
        this.parser = parser;
        this.reply = reply;
        this.retryAfter = AsciiString.of(Integer.toString(server.config().retryAfterSeconds()));
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess())
        {
            server.requestsRejected.increment();
            send(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
            return;
        }

        final String uri = request.uri();
        if (isPath(uri, PAYLOADS_PATH))
        {
            if (HttpMethod.POST.equals(request.method()))
            {
                post(ctx, request, keepAlive);
            }
            else
            {
                server.requestsRejected.increment();
                final FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "only POST is allowed on " + PAYLOADS_PATH + ": method=" + request.method());
                response.headers().set(HttpHeaderNames.ALLOW, POST_ONLY);
                send(ctx, response, keepAlive);
            }
        }
        else if (isPath(uri, STATS_PATH))
        {
            if (HttpMethod.GET.equals(request.method()))
            {
                send(ctx, json(HttpResponseStatus.OK, server.stats().toJson()), keepAlive);
            }
            else
            {
                server.requestsRejected.increment();
                final FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "only GET is allowed on " + STATS_PATH + ": method=" + request.method());
                response.headers().set(HttpHeaderNames.ALLOW, GET_ONLY);
                send(ctx, response, keepAlive);
            }
        }
        else
        {
            server.requestsRejected.increment();
            send(ctx, error(HttpResponseStatus.NOT_FOUND, "no such path: uri=" + uri), keepAlive);
        }
    }

    private void post(final ChannelHandlerContext ctx, final FullHttpRequest request, final boolean keepAlive)
    {
        // the body outlives this call (the workers read it), and the request's buffer goes back to Netty's pool
        final byte[] body = ByteBufUtil.getBytes(request.content());
        final ArrayList<Payload> batch = this.batch;
        try
        {
            parser.parse(body, batch);
        }
        catch (final RejectedBodyException ex)
        {
            batch.clear();
            server.requestsRejected.increment();
            send(ctx, error(HttpResponseStatus.valueOf(ex.status()), ex.getMessage()), keepAlive);
            return;
        }

        final int n = batch.size();
        final boolean accepted;
        try
        {
            accepted = submit(batch, body.length);
        }
        catch (final IllegalStateException closed)
        {
            server.requestsRefused.increment();
            send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down"), false);
            return;
        }
        finally
        {
            batch.clear();
        }

        if (accepted)
        {
            server.requestsAccepted.increment();
            server.payloadsAccepted.add(n);
            final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            send(ctx, response, keepAlive);
        }
        else
        {
            server.requestsRefused.increment();
            final FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "queue full: the " + n + " payloads were not queued, retry later");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
            send(ctx, response, keepAlive);
        }
    }

    /**
     * All or nothing: reserve the body's bytes, then claim one ring slot per payload in one go.
     *
     * @return true when every payload was queued; false when the byte budget or the ring has no room for all.
     * @throws IllegalStateException when the balancer is closed (nothing was queued or reserved).
     */
    private boolean submit(final ArrayList<Payload> batch, final int bodyBytes)
    {
        if (!server.tryReserve(bodyBytes))
        {
            return false;
        }
        boolean accepted = false;
        try
        {
            accepted = server.balancer().trySubmitAll(batch, reply);
        }
        finally
        {
            if (!accepted)
            {
                server.unreserve(bodyBytes);
            }
        }
        return accepted;
    }

    private void send(final ChannelHandlerContext ctx, final FullHttpResponse response, final boolean keepAlive)
    {
        if (keepAlive && !server.draining())
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        }
        else
        {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.log(System.Logger.Level.DEBUG, "ingest: connection failed, closing it", cause);
        ctx.close();
    }

    private static boolean isPath(final String uri, final String path)
    {
        return uri.startsWith(path) && (uri.length() == path.length() || uri.charAt(path.length()) == '?');
    }

    private static FullHttpResponse error(final HttpResponseStatus status, final String message)
    {
        final StringBuilder json = new StringBuilder(message.length() + 16).append("{\"error\":\"");
        JsonStringEncoder.getInstance().quoteAsString(message, json);
        return json(status, json.append("\"}").toString());
    }

    private static FullHttpResponse json(final HttpResponseStatus status, final String json)
    {
        final ByteBuf content = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }
}
