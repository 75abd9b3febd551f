package dev.fulcrum.examples.ingest;

import java.nio.charset.StandardCharsets;

/**
 * One payload of a request body, as the raw JSON bytes the client sent: a slice of the body's array, shared by all
 * payloads of that body, and which part of its {@link Body} it is. Nothing is decoded or re-encoded on the way to
 * the sink.
 * <p>
 * Threading: made on the HTTP event loop before submission, read on one worker thread after; the balancer's ring
 * publishes it safely between the two, and nobody writes it afterwards.
 */
public final class Payload
{
    private final byte[] bytes;
    private final int offset;
    private final int length;
    private Body body;
    private int part;
    /** Bytes of the body this payload keeps alive in the queue, for the byte budget; set before submission. */
    int chargeBytes;

    Payload(final byte[] bytes, final int offset, final int length)
    {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /**
     * Say which body this payload belongs to; called on the event loop before submission.
     *
     * @param body the body.
     * @param part this payload's index in it, from 0.
     */
    void belongTo(final Body body, final int part)
    {
        this.body = body;
        this.part = part;
    }

    /**
     * @return the array holding the payload's bytes (and its neighbours'): read it, do not change it.
     */
    public byte[] bytes()
    {
        return bytes;
    }

    /**
     * @return where the payload starts in {@link #bytes()}.
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

    /**
     * @return the body this payload came in.
     */
    public Body body()
    {
        return body;
    }

    /**
     * @return this payload's index in its body, from 0 to {@code body().parts() - 1}.
     */
    public int part()
    {
        return part;
    }

    @Override
    public String toString()
    {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
