package dev.fulcrum.aeron;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Writes {@link WireProtocol} messages to one publication, on one thread: into the term buffer with
 * {@code tryClaim} when the message fits one frame ({@code maxPayloadLength}), else into one buffer reused for every
 * message and {@code offer}ed (Aeron fragments it). Every method returns what the publication returned: a new
 * position (&gt; 0) when the message went, or one of {@code Publication}'s codes, or {@link #TOO_LONG}.
 */
final class MessagePublisher
{
    /** The message is longer than the publication's {@code maxMessageLength}: it can never be sent. */
    static final long TOO_LONG = -1000;

    private final Publication publication;
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final int maxPayloadLength;
    private final int maxMessageLength;
    private long lastLength;

    MessagePublisher(final Publication publication)
    {
        this.publication = publication;
        this.maxPayloadLength = publication.maxPayloadLength();
        this.maxMessageLength = publication.maxMessageLength();
    }

    Publication publication()
    {
        return publication;
    }

    int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * A message with no body (HELLO, a null RESULT).
     */
    long sendHeader(final int type, final int flags, final long id)
    {
        final long result = publication.tryClaim(WireProtocol.HEADER_LENGTH, claim);
        if (result > 0)
        {
            WireProtocol.putHeader(claim.buffer(), claim.offset(), type, flags, 0, id);
            claim.commit();
        }
        return result;
    }

    /**
     * A message whose body is one long (HEARTBEAT, ACK).
     */
    long sendLong(final int type, final long id, final long body)
    {
        final long result = publication.tryClaim(WireProtocol.HEADER_LENGTH + WireProtocol.LONG_BODY_LENGTH, claim);
        if (result > 0)
        {
            WireProtocol.putLongMessage(claim.buffer(), claim.offset(), type, id, body);
            claim.commit();
        }
        return result;
    }

    /**
     * A message whose body is a value written by its codec (REQUEST, RESULT). Anything the codec throws is
     * thrown from here, with nothing sent.
     *
     * @return the publication's result, or {@link #TOO_LONG} (see {@link #lastLength()}).
     */
    <T> long sendValue(final int type, final long id, final Codec<T> codec, final T value)
    {
        final int bodyLength = codec.encodedLength(value);
        if (bodyLength < 0)
        {
            throw new IllegalStateException(
                "codec gave a negative length: encodedLength=" + bodyLength + ", codec=" + codec);
        }
        final long length = (long)WireProtocol.HEADER_LENGTH + bodyLength;
        lastLength = length;
        if (length > maxMessageLength)
        {
            return TOO_LONG;
        }
        if (length <= maxPayloadLength)
        {
            final long result = publication.tryClaim((int)length, claim);
            if (result > 0)
            {
                final MutableDirectBuffer buffer = claim.buffer();
                final int offset = claim.offset();
                try
                {
                    WireProtocol.putHeader(buffer, offset, type, 0, bodyLength, id);
                    codec.encode(value, buffer, offset + WireProtocol.HEADER_LENGTH);
                }
                catch (final Throwable ex)
                {
                    claim.abort();
                    throw ex;
                }
                claim.commit();
            }
            return result;
        }
        WireProtocol.putHeader(scratch, 0, type, 0, bodyLength, id);
        scratch.checkLimit((int)length);
        codec.encode(value, scratch, WireProtocol.HEADER_LENGTH);
        return publication.offer(scratch, 0, (int)length);
    }

    /**
     * @return the length of the last message {@link #sendValue} was asked to send, for a {@link #TOO_LONG} message.
     */
    long lastLength()
    {
        return lastLength;
    }

    /**
     * An ERROR: {@code text} as UTF-8, cut at {@link WireProtocol#MAX_ERROR_TEXT_LENGTH} bytes. Allocates (the
     * text's bytes): errors only.
     */
    long sendError(final long id, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final int bodyLength = Math.min(bytes.length, WireProtocol.MAX_ERROR_TEXT_LENGTH);
        WireProtocol.putHeader(scratch, 0, WireProtocol.ERROR, 0, bodyLength, id);
        scratch.putBytes(WireProtocol.HEADER_LENGTH, bytes, 0, bodyLength);
        return publication.offer(scratch, 0, WireProtocol.HEADER_LENGTH + bodyLength);
    }
}
