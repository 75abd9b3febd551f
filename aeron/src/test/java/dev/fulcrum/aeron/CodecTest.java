package dev.fulcrum.aeron;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class CodecTest
{
    private final UnsafeBuffer wire = new UnsafeBuffer(new byte[128]);

    @Test
    void shouldRoundTripByteArraysIntoNewArrays()
    {
        final ByteArrayCodec codec = ByteArrayCodec.allocating();
        final byte[] value = { 1, 2, 3 };
        assertEquals(3, codec.encodedLength(value));
        codec.encode(value, wire, 10);

        final byte[] first = codec.decode(wire, 10, 3);
        final byte[] second = codec.decode(wire, 10, 3);
        assertArrayEquals(value, first);
        assertNotSame(first, second);
    }

    @Test
    void shouldReuseItsArrayWhileTheLengthStaysTheSame()
    {
        final ByteArrayCodec codec = ByteArrayCodec.reusing();
        codec.encode(new byte[]{ 1, 2, 3 }, wire, 0);
        codec.encode(new byte[]{ 4, 5, 6 }, wire, 3);

        final byte[] first = codec.decode(wire, 0, 3);
        assertArrayEquals(new byte[]{ 1, 2, 3 }, first);
        final byte[] second = codec.decode(wire, 3, 3);
        assertSame(first, second);
        assertArrayEquals(new byte[]{ 4, 5, 6 }, second);

        final byte[] longer = codec.decode(wire, 0, 6);
        assertArrayEquals(new byte[]{ 1, 2, 3, 4, 5, 6 }, longer);
        assertEquals(0, codec.decode(wire, 0, 0).length);
    }

    @Test
    void shouldDecodeDirectBuffersAsViewsInPlace()
    {
        final DirectBufferCodec codec = DirectBufferCodec.views();
        final UnsafeBuffer value = new UnsafeBuffer(new byte[]{ 9, 8, 7, 6 });
        assertEquals(4, codec.encodedLength(value));
        codec.encode(value, wire, 20);

        final DirectBuffer view = codec.decode(wire, 20, 4);
        assertEquals(4, view.capacity());
        assertEquals(9, view.getByte(0));
        wire.putByte(20, (byte)1);
        assertEquals(1, view.getByte(0), "a view: no copy");
        assertSame(view, codec.decode(wire, 21, 2));
    }

    @Test
    void shouldDecodeDirectBuffersAsCopies()
    {
        final DirectBufferCodec codec = DirectBufferCodec.copies();
        codec.encode(new UnsafeBuffer(new byte[]{ 9, 8, 7, 6 }), wire, 20);

        final DirectBuffer copy = codec.decode(wire, 21, 2);
        wire.putByte(21, (byte)0);
        final byte[] bytes = new byte[2];
        copy.getBytes(0, bytes);
        assertArrayEquals(new byte[]{ 8, 7 }, bytes, "a copy: the wire may change under it");
        assertNotSame(copy, codec.decode(wire, 21, 2));
    }
}
