package dev.fulcrum.examples.ingest;

import dev.fulcrum.Balancer;
import dev.fulcrum.micrometer.FulcrumMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.function.ToDoubleFunction;

/**
 * {@code GET /metrics}: the server's meters in Prometheus' text format. The balancer's come from
 * {@link FulcrumMetrics} (tag {@code name="ingest"}: Micrometer's {@code executor_*} names and Fulcrum's
 * {@code fulcrum_*}); the server's own, {@code ingest_*}, read the counters of {@code /v1/stats}.
 * <p>
 * Cost: nothing per payload. Each scrape takes one {@link IngestServer#stats()} snapshot for the {@code ingest_*}
 * meters and one balancer snapshot for the others, then renders the text, on the event loop that asked (a scrape
 * of this server's few dozen meters is short next to the HTTP work around it).
 */
final class MetricsEndpoint
{
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("text/plain; version=0.0.4; charset=utf-8");

    private final IngestServer server;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The snapshot the {@code ingest_*} meters read: taken at the start of each scrape. */
    private volatile IngestStats latest;

    /**
     * @param server   whose counters the {@code ingest_*} meters read; only when scraped.
     * @param balancer the server's balancer, bound with {@link FulcrumMetrics}.
     */
    MetricsEndpoint(final IngestServer server, final Balancer<?, ?> balancer)
    {
        this.server = server;
        new FulcrumMetrics(balancer, "ingest", Tags.empty()).bindTo(registry);
        counter("ingest.requests.accepted", "Bodies answered 202", IngestStats::requestsAccepted);
        counter("ingest.payloads.accepted", "Payloads of the bodies answered 202", IngestStats::payloadsAccepted);
        counter("ingest.requests.refused", "Bodies answered 503 (queue full, closing, sink failed)",
            IngestStats::requestsRefused);
        counter("ingest.requests.rejected", "Requests answered 4xx by the handler", IngestStats::requestsRejected);
        counter("ingest.connections.refused", "Connections closed by a bound: cap, timeouts, unfinished bodies",
            IngestStats::connectionsRefused);
        counter("ingest.payloads.written", "Payloads a worker handed to the sink", IngestStats::payloadsWritten);
        counter("ingest.payloads.failed", "Payloads the sink refused", IngestStats::payloadsFailed);
        counter("ingest.payloads.committed", "Payloads written out by a commit", IngestStats::payloadsCommitted);
        counter("ingest.commits", "Commits: one write, and in durable mode one force, each", IngestStats::commits);
        counter("ingest.commit.failures", "Writes or commits that failed", IngestStats::commitFailures);
        gauge("ingest.queued", "bytes", "Body bytes accepted and not yet written", IngestStats::queuedBytes);
        gauge("ingest.unfinished", "bytes", "Bytes of bodies still arriving", IngestStats::unfinishedBytes);
        gauge("ingest.connections.open", null, "Connections open now", IngestStats::openConnections);
    }

    /**
     * @return a 200 whose body is a scrape of every meter; any event loop.
     */
    FullHttpResponse response()
    {
        final ByteBuf content = Unpooled.copiedBuffer(scrape(), StandardCharsets.UTF_8);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            content);
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    /**
     * @return every meter in Prometheus' text format, the {@code ingest_*} ones from a snapshot taken now.
     */
    synchronized String scrape()
    {
        latest = server.stats();
        return registry.scrape();
    }

    private void counter(final String name, final String description, final ToDoubleFunction<IngestStats> value)
    {
        FunctionCounter.builder(name, this, endpoint -> value.applyAsDouble(endpoint.snapshot()))
            .description(description)
            .register(registry);
    }

    private void gauge(
        final String name, final String baseUnit, final String description, final ToDoubleFunction<IngestStats> value)
    {
        Gauge.builder(name, this, endpoint -> value.applyAsDouble(endpoint.snapshot()))
            .description(description)
            .baseUnit(baseUnit)
            .register(registry);
    }

    private IngestStats snapshot()
    {
        final IngestStats stats = latest;
        return null != stats ? stats : server.stats(); // read outside a scrape: a snapshot of its own
    }
}
