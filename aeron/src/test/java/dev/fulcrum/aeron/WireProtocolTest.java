package dev.fulcrum.aeron;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireProtocolTest
{
    @Test
    void shouldWriteTheHeaderLittleEndianAtTheDocumentedOffsets()
    {
        final byte[] bytes = new byte[WireProtocol.HEADER_LENGTH + 3];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        WireProtocol.putHeader(buffer, 0, WireProtocol.RESULT, WireProtocol.FLAG_NULL_VALUE, 3, 0x0102030405060708L);

        assertArrayEquals(new byte[]{
            1, 4, 1, 0,             // version, type, flags, reserved
            3, 0, 0, 0,             // body length
            8, 7, 6, 5, 4, 3, 2, 1, // id
            0, 0, 0 }, bytes);
        assertTrue(WireProtocol.isWellFormed(buffer, 0, bytes.length));
        assertEquals(WireProtocol.RESULT, WireProtocol.type(buffer, 0));
        assertEquals(WireProtocol.FLAG_NULL_VALUE, WireProtocol.flags(buffer, 0));
        assertEquals(3, WireProtocol.bodyLength(buffer, 0));
        assertEquals(0x0102030405060708L, WireProtocol.id(buffer, 0));
    }

    @Test
    void shouldWriteALongBodyAfterTheHeader()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        WireProtocol.putLongMessage(buffer, 8, WireProtocol.HEARTBEAT, -5, 123_456_789L);

        final int length = WireProtocol.HEADER_LENGTH + WireProtocol.LONG_BODY_LENGTH;
        assertTrue(WireProtocol.isWellFormed(buffer, 8, length));
        assertEquals(WireProtocol.HEARTBEAT, WireProtocol.type(buffer, 8));
        assertEquals(-5, WireProtocol.id(buffer, 8));
        assertEquals(123_456_789L, WireProtocol.longBody(buffer, 8));
        assertEquals(0x15, buffer.getByte(8 + WireProtocol.HEADER_LENGTH) & 0xFF, "little-endian: low byte first");
    }

    @Test
    void shouldRejectAnotherVersionAWrongLengthOrAShortMessage()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        WireProtocol.putHeader(buffer, 0, WireProtocol.REQUEST, 0, 4, 1);
        assertTrue(WireProtocol.isWellFormed(buffer, 0, WireProtocol.HEADER_LENGTH + 4));
        assertFalse(WireProtocol.isWellFormed(buffer, 0, WireProtocol.HEADER_LENGTH + 5), "longer than it says");
        assertFalse(WireProtocol.isWellFormed(buffer, 0, WireProtocol.HEADER_LENGTH - 1), "shorter than a header");

        buffer.putByte(WireProtocol.VERSION_OFFSET, (byte)(WireProtocol.VERSION + 1));
        assertFalse(WireProtocol.isWellFormed(buffer, 0, WireProtocol.HEADER_LENGTH + 4), "another version");
    }

    @Test
    void shouldNameEveryType()
    {
        assertEquals("HELLO", WireProtocol.typeName(WireProtocol.HELLO));
        assertEquals("ACK", WireProtocol.typeName(WireProtocol.ACK));
        assertEquals("REQUEST", WireProtocol.typeName(WireProtocol.REQUEST));
        assertEquals("RESULT", WireProtocol.typeName(WireProtocol.RESULT));
        assertEquals("ERROR", WireProtocol.typeName(WireProtocol.ERROR));
        assertEquals("HEARTBEAT", WireProtocol.typeName(WireProtocol.HEARTBEAT));
        assertEquals("UNKNOWN(99)", WireProtocol.typeName(99));
    }
}
