package dev.fulcrum.examples.ingest;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request or connection the server refused, counted by kind for {@code /v1/stats}, and logged once per kind
 * (the first time), never once per request: a flood of refusals must not become a flood of log lines.
 * <p>
 * Threading: any thread (event loops, workers).
 */
final class Refusals
{
    private static final System.Logger LOG = System.getLogger(Refusals.class.getName());

    /** What was refused, and how the client learnt it. */
    enum Kind
    {
        /** 400: not an HTTP request, or not the JSON expected. */
        BAD_REQUEST("badRequest", Answer.REJECTED),
        /** 404. */
        NOT_FOUND("notFound", Answer.REJECTED),
        /** 405. */
        METHOD_NOT_ALLOWED("methodNotAllowed", Answer.REJECTED),
        /** 413: more payloads than the ring holds (a body over {@code MAX_BODY_BYTES} is Netty's 413, not counted). */
        TOO_MANY_PAYLOADS("tooManyPayloads", Answer.REJECTED),
        /** 415: the body is not declared {@code application/json}. */
        UNSUPPORTED_MEDIA_TYPE("unsupportedMediaType", Answer.REJECTED),
        /** 503: the ring or the queued-bytes budget cannot take the body whole now. */
        QUEUE_FULL("queueFull", Answer.REFUSED),
        /** 503: the server is closing. */
        CLOSING("closing", Answer.REFUSED),
        /** 503: a payload of the body could not be written or forced. */
        SINK_FAILED("sinkFailed", Answer.REFUSED),
        /** 503 and close: the bytes of unfinished bodies, all connections together, were over the budget. */
        BODY_BUDGET("bodyBudget", Answer.CONNECTION),
        /** 503 and close at accept: {@code MAX_CONNECTIONS} are open. */
        CONNECTION_CAP("connectionCap", Answer.CONNECTION),
        /** Closed: the headers took longer than {@code HEADER_TIMEOUT_MS}. */
        HEADER_TIMEOUT("headerTimeout", Answer.CONNECTION),
        /** Closed: the body took longer than {@code BODY_TIMEOUT_MS}. */
        BODY_TIMEOUT("bodyTimeout", Answer.CONNECTION),
        /** Closed: no request for {@code IDLE_TIMEOUT_MS}. */
        IDLE_TIMEOUT("idleTimeout", Answer.CONNECTION);

        final String key;
        final Answer answer;

        Kind(final String key, final Answer answer)
        {
            this.key = key;
            this.answer = answer;
        }
    }

    /** How a refusal is told: 4xx (the client's mistake), 503 (try again), or on the connection. */
    enum Answer
    {
        REJECTED, REFUSED, CONNECTION
    }

    private static final Kind[] KINDS = Kind.values();

    private final LongAdder[] counts = new LongAdder[KINDS.length];
    private final AtomicBoolean[] logged = new AtomicBoolean[KINDS.length];

    Refusals()
    {
        for (int i = 0; i < KINDS.length; i++)
        {
            counts[i] = new LongAdder();
            logged[i] = new AtomicBoolean();
        }
    }

    /**
     * Count one refusal; the first of its kind is logged.
     *
     * @param kind   what was refused.
     * @param detail for the log line, key=value.
     */
    void count(final Kind kind, final String detail)
    {
        counts[kind.ordinal()].increment();
        final AtomicBoolean once = logged[kind.ordinal()];
        if (!once.get() && once.compareAndSet(false, true))
        {
            LOG.log(System.Logger.Level.WARNING, "ingest: refused kind=" + kind.key + " " + detail +
                " (logged once per kind; every one is counted in /v1/stats refusals)");
        }
    }

    long count(final Kind kind)
    {
        return counts[kind.ordinal()].sum();
    }

    /**
     * @param answer how the refusals were told.
     * @return refusals of all kinds told that way.
     */
    long sum(final Answer answer)
    {
        long sum = 0;
        for (final Kind kind : KINDS)
        {
            if (kind.answer == answer)
            {
                sum += counts[kind.ordinal()].sum();
            }
        }
        return sum;
    }

    /**
     * @return {@code {"badRequest":n,...}}, every kind.
     */
    String toJson()
    {
        final StringBuilder json = new StringBuilder(KINDS.length * 24).append('{');
        for (final Kind kind : KINDS)
        {
            json.append(kind.ordinal() == 0 ? "\"" : ",\"").append(kind.key).append("\":")
                .append(counts[kind.ordinal()].sum());
        }
        return json.append('}').toString();
    }
}
