package dev.fulcrum.examples.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;

import java.io.IOException;
import java.util.List;

/**
 * Splits a body {@code {"payloads": [{...}, {...}]}} into one {@link Payload} per element, each a slice of the
 * body's bytes, with Jackson's streaming parser: every token is checked (so a malformed payload fails the whole
 * body), but nothing is built from it, neither a tree nor an object per field. Other top-level fields (Castilho's
 * body had a version and a token) are checked and skipped.
 * <p>
 * Threading: one instance per HTTP event loop thread, or shared: it keeps no state between calls.
 */
final class PayloadParser
{
    /** Jackson's factory is thread-safe and recycles its parsers' buffers per thread. */
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final String FIELD = "payloads";

    private final int maxPayloads;

    /**
     * @param maxPayloads most payloads one body may carry (the ring size: a batch is claimed on the ring whole).
     */
    PayloadParser(final int maxPayloads)
    {
        this.maxPayloads = maxPayloads;
    }

    /**
     * @param body the whole request body, UTF-8; owned by the payloads from now on, and never changed.
     * @param out  receives the payloads in order; cleared by the caller.
     * @throws RejectedBodyException 400 when the body is not the expected JSON, 413 when it has more than
     *                               {@code maxPayloads} payloads; {@code out} is then incomplete.
     */
    void parse(final byte[] body, final List<Payload> out) throws RejectedBodyException
    {
        try (JsonParser parser = JSON.createParser(body))
        {
            if (JsonToken.START_OBJECT != parser.nextToken())
            {
                throw RejectedBodyException.badRequest("body must be a JSON object {\"payloads\": [...]}");
            }
            boolean seen = false;
            while (JsonToken.FIELD_NAME == parser.nextToken())
            {
                final String name = parser.currentName();
                final JsonToken value = parser.nextToken();
                if (FIELD.equals(name))
                {
                    if (seen)
                    {
                        throw RejectedBodyException.badRequest("field \"payloads\" appears more than once");
                    }
                    seen = true;
                    if (JsonToken.START_ARRAY != value)
                    {
                        throw RejectedBodyException.badRequest("field \"payloads\" must be an array");
                    }
                    readPayloads(parser, body, out);
                }
                else
                {
                    parser.skipChildren();
                }
            }
            // the loop ends on the body's END_OBJECT; anything after it but whitespace is an error
            if (null != parser.nextToken())
            {
                throw RejectedBodyException.badRequest("unexpected content after the body's JSON object");
            }
            if (!seen)
            {
                throw RejectedBodyException.badRequest("body has no field \"payloads\"");
            }
            if (out.isEmpty())
            {
                throw RejectedBodyException.badRequest("field \"payloads\" must hold at least one payload");
            }
            // the body stays in memory until its last payload is written: charge all of it, envelope included
            int rest = body.length;
            for (int i = 1, n = out.size(); i < n; i++)
            {
                final Payload payload = out.get(i);
                payload.chargeBytes = payload.length();
                rest -= payload.length();
            }
            out.get(0).chargeBytes = rest;
        }
        catch (final StreamReadException ex)
        {
            throw RejectedBodyException.badRequest("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            // a byte array cannot fail to read: anything else is a malformed body too
            throw RejectedBodyException.badRequest("unreadable body: " + ex.getMessage());
        }
    }

    private void readPayloads(final JsonParser parser, final byte[] body, final List<Payload> out)
        throws IOException, RejectedBodyException
    {
        JsonToken token;
        while (JsonToken.END_ARRAY != (token = parser.nextToken()))
        {
            if (null == token)
            {
                throw RejectedBodyException.badRequest("malformed JSON: body ends inside \"payloads\"");
            }
            if (out.size() == maxPayloads)
            {
                throw RejectedBodyException.tooLarge("a body may carry at most " + maxPayloads +
                    " payloads (MAX_QUEUE, rounded up to a power of 2: a body is queued whole or not at all)");
            }
            if (JsonToken.START_OBJECT != token)
            {
                throw RejectedBodyException.badRequest(
                    "payloads[" + out.size() + "] must be a JSON object: found " + describe(token));
            }
            final long start = parser.currentTokenLocation().getByteOffset();
            parser.skipChildren(); // reads every token of the payload, so a malformed one fails here
            final long end = parser.currentLocation().getByteOffset(); // just past the closing brace
            out.add(new Payload(body, (int)start, (int)(end - start)));
        }
    }

    private static String describe(final JsonToken token)
    {
        switch (token)
        {
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return String.valueOf(token);
        }
    }
}
