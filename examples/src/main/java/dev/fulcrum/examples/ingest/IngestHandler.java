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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection's requests, on its event loop: route, split the body into payloads, claim them on the ring whole,
 * and answer: at once in queued mode; in durable mode when the workers have forced the body's last payload
 * ({@link #onSettled}). Nothing here waits: a full ring is a 503, not a blocked event loop.
 * <p>
 * While a body waits for its force, the connection reads nothing more (auto-read off), so a client cannot pile up
 * bodies, and answers go out in request order; a request that had already been read meanwhile (pipelining) waits
 * its turn here.
 */
final class IngestHandler extends SimpleChannelInboundHandler<FullHttpRequest> implements Body.Listener
{
    static final String PAYLOADS_PATH = "/v1/payloads";
    static final String STATS_PATH = "/v1/stats";
    static final String HEALTH_PATH = "/healthz";
    static final String READY_PATH = "/readyz";
    static final String METRICS_PATH = "/metrics";

    private static final System.Logger LOG = System.getLogger(IngestHandler.class.getName());
    private static final AsciiString POST_ONLY = AsciiString.cached("POST");
    private static final AsciiString GET_ONLY = AsciiString.cached("GET");
    private static final AsciiString JSON_TYPE = AsciiString.cached("application/json");

    private final IngestServer server;
    private final PayloadParser parser;
    private final Reply<Payload, Void> reply;
    private final boolean durable;
    private final AsciiString retryAfter;
    /** Reused for every body of this connection: the ring copies the references out during the claim. */
    private final ArrayList<Payload> batch = new ArrayList<>();
    private final ArrayDeque<FullHttpRequest> deferred = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private boolean awaitingForce;
    private boolean keepAliveOfAwaited;

    IngestHandler(final IngestServer server, final PayloadParser parser, final Reply<Payload, Void> reply)
    {
        super(false); // requests are released here, also the deferred ones
        this.server = server;
        this.parser = parser;
        this.reply = reply;
        this.durable = AckMode.DURABLE == server.config().ackMode();
        this.retryAfter = AsciiString.of(Integer.toString(server.config().retryAfterSeconds()));
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        FullHttpRequest request;
        while (null != (request = deferred.poll()))
        {
            request.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        if (awaitingForce)
        {
            deferred.add(request);
            return;
        }
        try
        {
            handle(ctx, request);
        }
        finally
        {
            request.release();
        }
    }

    private void handle(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess())
        {
            if (!ctx.channel().isActive())
            {
                return; // the codec's end of a request cut by the connection closing: nobody to answer
            }
            refuse(ctx, Refusals.Kind.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", false);
            return;
        }
        final String uri = request.uri();
        final HttpMethod method = request.method();
        if (isPath(uri, PAYLOADS_PATH))
        {
            if (!HttpMethod.POST.equals(method))
            {
                notAllowed(ctx, PAYLOADS_PATH, POST_ONLY, method, keepAlive);
            }
            else if (!isJson(request))
            {
                refuse(ctx, Refusals.Kind.UNSUPPORTED_MEDIA_TYPE, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json: Content-Type=" +
                    request.headers().get(HttpHeaderNames.CONTENT_TYPE), keepAlive);
            }
            else
            {
                post(ctx, request, keepAlive);
            }
        }
        else if (isPath(uri, STATS_PATH) || isPath(uri, HEALTH_PATH) || isPath(uri, READY_PATH) ||
            isPath(uri, METRICS_PATH))
        {
            if (!HttpMethod.GET.equals(method))
            {
                notAllowed(ctx, uri, GET_ONLY, method, keepAlive);
            }
            else if (isPath(uri, STATS_PATH))
            {
                send(ctx, json(HttpResponseStatus.OK, server.stats().toJson()), keepAlive);
            }
            else if (isPath(uri, METRICS_PATH))
            {
                send(ctx, server.metrics().response(), keepAlive);
            }
            else if (isPath(uri, HEALTH_PATH))
            {
                send(ctx, json(HttpResponseStatus.OK, "{\"status\":\"live\"}"), keepAlive);
            }
            else
            {
                final String why = server.notReadyReason(); // and the pool's size, live
                final String status =
                    "{\"status\":\"" + (null == why ? "ready" : why) + "\"," + server.resizer().json() + "}";
                send(ctx, json(null == why ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, status),
                    keepAlive);
            }
        }
        else
        {
            refuse(ctx, Refusals.Kind.NOT_FOUND, HttpResponseStatus.NOT_FOUND, "no such path: uri=" + uri, keepAlive);
        }
    }

    private void post(final ChannelHandlerContext ctx, final FullHttpRequest request, final boolean keepAlive)
    {
        // the body outlives this call (the workers read it), and the request's buffer goes back to Netty's pool
        final byte[] bytes = ByteBufUtil.getBytes(request.content());
        final ArrayList<Payload> batch = this.batch;
        try
        {
            parser.parse(bytes, batch);
        }
        catch (final RejectedBodyException ex)
        {
            batch.clear();
            refuse(ctx, 413 == ex.status() ? Refusals.Kind.TOO_MANY_PAYLOADS : Refusals.Kind.BAD_REQUEST,
                HttpResponseStatus.valueOf(ex.status()), ex.getMessage(), keepAlive);
            return;
        }

        final int n = batch.size();
        final Body body = new Body(server.nextBodyId(), n, durable ? this : null);
        for (int i = 0; i < n; i++)
        {
            batch.get(i).belongTo(body, i);
        }
        final boolean accepted;
        try
        {
            accepted = submit(batch, bytes.length);
        }
        catch (final IllegalStateException closed)
        {
            refuse(ctx, Refusals.Kind.CLOSING, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down",
                false);
            return;
        }
        finally
        {
            batch.clear();
        }

        if (!accepted)
        {
            final FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "queue full: the " + n + " payloads were not queued, retry later");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
            server.refusals().count(Refusals.Kind.QUEUE_FULL, "payloads=" + n);
            send(ctx, response, keepAlive);
        }
        else if (durable)
        {
            awaitingForce = true; // answered by onSettled once the body's last payload is forced
            keepAliveOfAwaited = keepAlive;
            ctx.channel().config().setAutoRead(false);
        }
        else
        {
            accepted(ctx, n, keepAlive);
        }
    }

    /**
     * Every payload of a body is forced (or one failed): answer it on this connection's event loop. Called on the
     * worker thread that settled the last payload.
     */
    @Override
    public void onSettled(final Body body, final boolean stored)
    {
        try
        {
            ctx.executor().execute(() -> answerSettled(body, stored));
        }
        catch (final RejectedExecutionException closed)
        {
            // the event loops are shut down: the connection is gone, nobody is left to answer
        }
    }

    private void answerSettled(final Body body, final boolean stored)
    {
        awaitingForce = false;
        if (stored)
        {
            accepted(ctx, body.parts(), keepAliveOfAwaited);
        }
        else
        {
            final FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "the payloads could not be stored, retry later");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
            server.refusals().count(Refusals.Kind.SINK_FAILED, "payloads=" + body.parts());
            send(ctx, response, keepAliveOfAwaited);
        }
        if (!ctx.channel().isActive())
        {
            return;
        }
        ctx.channel().config().setAutoRead(true);
        FullHttpRequest next;
        while (!awaitingForce && null != (next = deferred.poll()))
        {
            try
            {
                handle(ctx, next);
            }
            finally
            {
                next.release();
            }
        }
    }

    private void accepted(final ChannelHandlerContext ctx, final int payloads, final boolean keepAlive)
    {
        server.requestsAccepted.increment();
        server.payloadsAccepted.add(payloads);
        final FullHttpResponse response = new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        send(ctx, response, keepAlive);
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

    private void notAllowed(final ChannelHandlerContext ctx, final String path, final AsciiString allow,
        final HttpMethod method, final boolean keepAlive)
    {
        server.refusals().count(Refusals.Kind.METHOD_NOT_ALLOWED, "method=" + method);
        final FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
            "only " + allow + " is allowed on " + path + ": method=" + method);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        send(ctx, response, keepAlive);
    }

    private void refuse(final ChannelHandlerContext ctx, final Refusals.Kind kind, final HttpResponseStatus status,
        final String message, final boolean keepAlive)
    {
        server.refusals().count(kind, "status=" + status.code());
        send(ctx, error(status, message), keepAlive);
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

    private static boolean isJson(final FullHttpRequest request)
    {
        final CharSequence type = HttpUtil.getMimeType(request);
        return null != type && JSON_TYPE.contentEqualsIgnoreCase(AsciiString.of(type).trim());
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
