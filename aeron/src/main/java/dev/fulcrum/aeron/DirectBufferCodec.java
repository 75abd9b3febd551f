package dev.fulcrum.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link Codec} for Agrona buffer payloads: a value is the whole of a {@link DirectBuffer}, from 0 to its
 * {@code capacity()} (wrap a region with {@code new UnsafeBuffer(buffer, offset, length)} to send part of one).
 * Two ways to decode:
 * <ul>
 *     <li>{@link #views()}: one {@link UnsafeBuffer} flyweight, moved onto each message where it lies in Aeron's
 *     buffer: no copy, no allocation, and valid only until the call that received it returns. For a host whose
 *     task reads its request before it returns.</li>
 *     <li>{@link #copies()}: a new buffer over a new array per message. For the link's results, which go on to the
 *     requesters.</li>
 * </ul>
 */
public final class DirectBufferCodec implements Codec<DirectBuffer>
{
    private final UnsafeBuffer view;

    private DirectBufferCodec(final UnsafeBuffer view)
    {
        this.view = view;
    }

    /**
     * @return a codec whose {@code decode} returns the same flyweight over each message; for one host only.
     */
    public static DirectBufferCodec views()
    {
        return new DirectBufferCodec(new UnsafeBuffer(new byte[0]));
    }

    /**
     * @return a codec whose {@code decode} copies each message into a new buffer; stateless, so it may be shared.
     */
    public static DirectBufferCodec copies()
    {
        return new DirectBufferCodec(null);
    }

    @Override
    public int encodedLength(final DirectBuffer value)
    {
        return value.capacity();
    }

    @Override
    public void encode(final DirectBuffer value, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putBytes(offset, value, 0, value.capacity());
    }

    @Override
    public DirectBuffer decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == view)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return new UnsafeBuffer(bytes);
        }
        view.wrap(buffer, offset, length);
        return view;
    }

    @Override
    public String toString()
    {
        return null == view ? "DirectBufferCodec.copies()" : "DirectBufferCodec.views()";
    }
}
