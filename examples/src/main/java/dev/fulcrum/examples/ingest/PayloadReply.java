package dev.fulcrum.examples.ingest;

import dev.fulcrum.Reply;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Every payload's outcome, on the worker thread right after {@link SinkTask#execute(Payload)}: its share of the
 * queued-bytes budget is given back (its bytes are copied into the writer's buffer by now). A write is counted by
 * the balancer's own per-worker counters, and acknowledged by the commit at the end of the batch, so a result needs
 * nothing more; a failed write settles the payload as lost (its body is answered 503) and is logged, sparsely
 * when the sink keeps failing.
 */
final class PayloadReply implements Reply<Payload, Void>
{
    private static final System.Logger LOG = System.getLogger(PayloadReply.class.getName());

    private final AtomicLong queuedBytes;
    private final AtomicLong errors = new AtomicLong();

    PayloadReply(final AtomicLong queuedBytes)
    {
        this.queuedBytes = queuedBytes;
    }

    @Override
    public void onResult(final Payload payload, final Void result)
    {
        queuedBytes.addAndGet(-payload.chargeBytes);
    }

    @Override
    public void onError(final Payload payload, final Throwable error)
    {
        queuedBytes.addAndGet(-payload.chargeBytes);
        payload.body().settle(false);
        final long n = errors.incrementAndGet();
        if (Long.bitCount(n) == 1)
        {
            LOG.log(System.Logger.Level.ERROR, "ingest: a payload could not be written: payloadsFailed=" + n, error);
        }
    }
}
