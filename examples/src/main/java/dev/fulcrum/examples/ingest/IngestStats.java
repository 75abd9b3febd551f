package dev.fulcrum.examples.ingest;

/**
 * A snapshot of the ingest server's counters, as served on {@code GET /v1/stats}.
 *
 * @param requestsAccepted  bodies answered 202: all their payloads were queued.
 * @param payloadsAccepted  payloads of those bodies.
 * @param requestsRefused   bodies answered 503: the queue could not take them whole (or the server was closing).
 * @param requestsRejected  requests answered 4xx by the handler (bad method, path or JSON, too many payloads); 413s
 *                          for a body over the byte limit are answered by Netty's aggregator and not counted.
 * @param payloadsWritten   payloads a worker handed to the sink.
 * @param payloadsFailed    payloads the sink refused (each logged).
 * @param flushFailures     sink flushes that failed (their batches were lost, and logged).
 * @param queuedBytes       body bytes accepted and not yet written (at most {@code MAX_QUEUE_BYTES}).
 * @param heapUsedBytes     JVM heap in use when the snapshot was taken.
 */
public record IngestStats(
    long requestsAccepted,
    long payloadsAccepted,
    long requestsRefused,
    long requestsRejected,
    long payloadsWritten,
    long payloadsFailed,
    long flushFailures,
    long queuedBytes,
    long heapUsedBytes)
{
    /**
     * @return the snapshot as one JSON object.
     */
    public String toJson()
    {
        return "{\"requestsAccepted\":" + requestsAccepted +
            ",\"payloadsAccepted\":" + payloadsAccepted +
            ",\"requestsRefused\":" + requestsRefused +
            ",\"requestsRejected\":" + requestsRejected +
            ",\"payloadsWritten\":" + payloadsWritten +
            ",\"payloadsFailed\":" + payloadsFailed +
            ",\"flushFailures\":" + flushFailures +
            ",\"queuedBytes\":" + queuedBytes +
            ",\"heapUsedBytes\":" + heapUsedBytes + "}";
    }
}
