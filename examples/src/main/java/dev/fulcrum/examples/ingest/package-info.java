/**
 * Castilho's ingest server ("Handling 1 million requests per minute with Go") on a Fulcrum balancer: run
 * {@link dev.fulcrum.examples.ingest.IngestServer}; see {@code examples/ingest-README.md}.
 * <pre>
 *  HTTP clients
 *      |  POST /v1/payloads {"payloads": [...]}
 *      v
 *  Netty event loop: ConnectionCap (503) -&gt; HttpServerCodec -&gt; ConnectionGuard (timeouts; UnfinishedBodies
 *                    budget, 503 and close) -&gt; HttpObjectAggregator (413) -&gt; IngestHandler (415, 400, 404, 405)
 *      |  PayloadParser: one Payload per element, a slice of the body's bytes; all of them one Body
 *      |  byte budget (MAX_QUEUE_BYTES) + Balancer.trySubmitAll: all payloads or none (503 + Retry-After)
 *      |  202 now (ACK_MODE=queued)
 *      v
 *  Balancer ring (MAX_QUEUE) -&gt; balancer -&gt; workers (WORKERS, up to MAX_WORKERS; SettingsWatcher reads
 *      |                                       SETTINGS_FILE, PoolResizer adds or removes workers to its WORKERS)
 *      |  SinkTask.execute: append the payload's record to this worker's PayloadSink.Writer
 *      |  SinkTask.onEndOfBatch: write(2) + force (group commit) -&gt; Body.settle per payload
 *      |  202 once the body's last payload is forced (ACK_MODE=durable)
 *      v
 *  PayloadSink: DirectoryPayloadSink, one newline-delimited JSON file per worker; SinkRecovery at open
 * </pre>
 */
package dev.fulcrum.examples.ingest;
