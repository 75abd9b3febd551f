package dev.fulcrum.examples.ingest;

/**
 * One payload of a request body, as the raw JSON bytes the client sent: a slice of the body's array, shared by all
 * payloads of that body. Nothing is decoded or re-encoded on the way to the sink.
 * <p>
 * Threading: made on the HTTP event loop before submission, read on one worker thread after; the balancer's ring
 * publishes it safely between the two, and nobody writes it afterwards.
 */
public final class Payload
{
    private final byte[] body;
    private final int offset;
    private final int length;
    /** Bytes of the body this payload keeps alive in the queue, for the byte budget; set before submission. */
    int chargeBytes;

    Payload(final byte[] body, final int offset, final int length)
    {
        this.body = body;
        this.offset = offset;
        this.length = length;
    }

    /**
     * @return the array holding the payload's bytes (and its neighbours'): read it, do not change it.
     */
    public byte[] body()
    {
        return body;
    }

    /**
     * @return where the payload starts in {@link #body()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return how many bytes the payload has.
     */
    public int length()
    {
        return length;
    }

    @Override
    public String toString()
    {
        return new String(body, offset, length, java.nio.charset.StandardCharsets.UTF_8);
    }
}
