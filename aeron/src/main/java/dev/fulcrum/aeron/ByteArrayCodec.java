package dev.fulcrum.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link Codec} for {@code byte[]} payloads, written as they are (no length prefix: the protocol's frame has the
 * length). Two ways to decode:
 * <ul>
 *     <li>{@link #allocating()}: a new array per message. Safe wherever the array is kept: the link's results, which
 *     go on to the requesters, must be decoded this way.</li>
 *     <li>{@link #reusing()}: one array, reused while messages keep the same length (a new one when the length
 *     changes). For a host whose task reads its request and lets go of it before it returns (it may return the same
 *     array as its result): then a host with fixed-size requests allocates nothing per message. Not for a task that
 *     keeps its request, and not shared between hosts.</li>
 * </ul>
 */
public final class ByteArrayCodec implements Codec<byte[]>
{
    private static final byte[] EMPTY = new byte[0];

    private final boolean reuse;
    private byte[] reused = EMPTY;

    private ByteArrayCodec(final boolean reuse)
    {
        this.reuse = reuse;
    }

    /**
     * @return a codec whose {@code decode} returns a new array each time; stateless, so it may be shared.
     */
    public static ByteArrayCodec allocating()
    {
        return new ByteArrayCodec(false);
    }

    /**
     * @return a codec whose {@code decode} reuses its last array when the length is the same; for one host only.
     */
    public static ByteArrayCodec reusing()
    {
        return new ByteArrayCodec(true);
    }

    @Override
    public int encodedLength(final byte[] value)
    {
        return value.length;
    }

    @Override
    public void encode(final byte[] value, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putBytes(offset, value);
    }

    @Override
    public byte[] decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array;
        if (!reuse)
        {
            array = new byte[length];
        }
        else
        {
            if (reused.length != length)
            {
                reused = new byte[length];
            }
            array = reused;
        }
        buffer.getBytes(offset, array);
        return array;
    }

    @Override
    public String toString()
    {
        return reuse ? "ByteArrayCodec.reusing()" : "ByteArrayCodec.allocating()";
    }
}
