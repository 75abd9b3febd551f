package dev.fulcrum.examples.ingest;

/**
 * A snapshot of the ingest server's counters, as served on {@code GET /v1/stats}.
 *
 * @param ackMode            {@code queued} or {@code durable}: when a 202 is sent.
 * @param requestsAccepted   bodies answered 202 (in durable mode: once every payload was forced).
 * @param payloadsAccepted   payloads of those bodies.
 * @param requestsRefused    bodies answered 503 (queue full, closing, sink failed).
 * @param requestsRejected   requests answered 4xx by the handler (bad method, path, type or JSON, too many
 *                           payloads); 413s for a body over the byte limit are answered by Netty's aggregator and
 *                           not counted.
 * @param connectionsRefused connections closed by a bound: cap, timeouts, unfinished-body budget.
 * @param refusalsJson       every refusal by kind, a JSON object.
 * @param payloadsWritten    payloads a worker handed to the sink.
 * @param payloadsFailed     payloads the sink refused (each logged).
 * @param payloadsCommitted  payloads written out by a commit (and forced, in durable mode).
 * @param commits            commits: one {@code write(2)}, and in durable mode one force, each.
 * @param commitFailures     writes or commits that failed (their bodies were answered 503; logged).
 * @param workers            workers in the pool now (leaving ones out).
 * @param targetWorkers      the pool size last asked for ({@code WORKERS}, at start or from the settings file).
 * @param workersLeaving     workers removed and still finishing what they hold.
 * @param maxWorkers         the pool's capacity ({@code MAX_WORKERS}).
 * @param settingsApplied    new pool sizes applied from the settings file.
 * @param settingsRefused    contents of the settings file refused (each logged).
 * @param queuedBytes        body bytes accepted and not yet written (at most {@code MAX_QUEUE_BYTES}).
 * @param unfinishedBytes    bytes of bodies still arriving (at most {@code MAX_UNFINISHED_BYTES}).
 * @param openConnections    connections open now.
 * @param heapUsedBytes      JVM heap in use when the snapshot was taken.
 */
public record IngestStats(
    String ackMode,
    long requestsAccepted,
    long payloadsAccepted,
    long requestsRefused,
    long requestsRejected,
    long connectionsRefused,
    String refusalsJson,
    long payloadsWritten,
    long payloadsFailed,
    long payloadsCommitted,
    long commits,
    long commitFailures,
    int workers,
    int targetWorkers,
    int workersLeaving,
    int maxWorkers,
    long settingsApplied,
    long settingsRefused,
    long queuedBytes,
    long unfinishedBytes,
    long openConnections,
    long heapUsedBytes)
{
    /**
     * @return the snapshot as one JSON object.
     */
    public String toJson()
    {
        return "{\"ackMode\":\"" + ackMode +
            "\",\"requestsAccepted\":" + requestsAccepted +
            ",\"payloadsAccepted\":" + payloadsAccepted +
            ",\"requestsRefused\":" + requestsRefused +
            ",\"requestsRejected\":" + requestsRejected +
            ",\"connectionsRefused\":" + connectionsRefused +
            ",\"refusals\":" + refusalsJson +
            ",\"payloadsWritten\":" + payloadsWritten +
            ",\"payloadsFailed\":" + payloadsFailed +
            ",\"payloadsCommitted\":" + payloadsCommitted +
            ",\"commits\":" + commits +
            ",\"commitFailures\":" + commitFailures +
            ",\"workers\":" + workers +
            ",\"targetWorkers\":" + targetWorkers +
            ",\"workersLeaving\":" + workersLeaving +
            ",\"maxWorkers\":" + maxWorkers +
            ",\"settingsApplied\":" + settingsApplied +
            ",\"settingsRefused\":" + settingsRefused +
            ",\"queuedBytes\":" + queuedBytes +
            ",\"unfinishedBytes\":" + unfinishedBytes +
            ",\"openConnections\":" + openConnections +
            ",\"heapUsedBytes\":" + heapUsedBytes + "}";
    }
}
