/**
 * Castilho's ingest server ("Handling 1 million requests per minute with Go") on a Fulcrum balancer: run
 * {@link dev.fulcrum.examples.ingest.IngestServer}; see {@code examples/ingest-README.md}.
 * <pre>
 *  HTTP clients
 *      |  POST /v1/payloads {"payloads": [...]}
 *      v
 *  Netty event loop: HttpServerCodec -&gt; RequestTracker -&gt; HttpObjectAggregator (413) -&gt; IngestHandler
 *      |  PayloadParser: one Payload per element, a slice of the body's bytes (400 / 413)
 *      |  byte budget (MAX_QUEUE_BYTES) + Balancer.trySubmitAll: all payloads or none (202 / 503 + Retry-After)
 *      v
 *  Balancer ring (MAX_QUEUE) -&gt; balancer -&gt; workers (MAX_WORKERS)
 *      |  SinkTask: copy into this worker's PayloadSink.Writer; its idle strategy flushes every FLUSH_DELAY_US
 *      v
 *  PayloadSink: DirectoryPayloadSink, one newline-delimited JSON file per worker
 * </pre>
 */
package dev.fulcrum.examples.ingest;
