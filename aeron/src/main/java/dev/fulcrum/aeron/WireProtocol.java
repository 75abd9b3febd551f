package dev.fulcrum.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The messages between an {@link AeronWorkerLink} and its {@link AeronWorkerHost}: one Aeron message each, a fixed
 * header of {@value #HEADER_LENGTH} bytes, little-endian, then the body.
 * <pre>
 *  offset  size  field
 *  0       1     version ({@value #VERSION}); a message of another version is dropped and counted
 *  1       1     type (below)
 *  2       1     flags: {@value #FLAG_NULL_VALUE} = the result is null (RESULT, no body)
 *  3       1     reserved, 0
 *  4       4     body length (the message's length less the header)
 *  8       8     id: a request id (REQUEST, RESULT, ERROR), the link's nonce (HELLO, ACK), the sender's
 *                instance id (HEARTBEAT)
 *  16      ...   body
 * </pre>
 * <table>
 *     <caption>Message types</caption>
 *     <tr><th>type</th><th>from</th><th>id</th><th>body</th></tr>
 *     <tr><td>{@value #HELLO}</td><td>link</td><td>link nonce</td><td>none: asks the host to serve this link</td></tr>
 *     <tr><td>{@value #ACK}</td><td>host</td><td>the nonce it answers</td><td>host instance id (8)</td></tr>
 *     <tr><td>{@value #REQUEST}</td><td>link</td><td>request id</td><td>the request codec's bytes</td></tr>
 *     <tr><td>{@value #RESULT}</td><td>host</td><td>request id</td><td>the result codec's bytes</td></tr>
 *     <tr><td>{@value #ERROR}</td><td>host</td><td>request id</td><td>what failed, UTF-8 text</td></tr>
 *     <tr><td>{@value #HEARTBEAT}</td><td>both</td><td>sender instance id</td><td>sender's nanoTime (8)</td></tr>
 * </table>
 * The exchange: the link's request publication connects; the link sends HELLO (again every heartbeat interval
 * until answered); a host that serves no one adopts the session the HELLO came on and answers ACK on its reply
 * publication; the link takes the ACK's session as the only one it hears from (replies from any other session are
 * dropped and counted) and only then sends requests. Each side then sends HEARTBEAT every interval and counts the
 * other lost when none arrives within its timeout. A host whose balancer is lost drops back to waiting for a HELLO.
 * Every request gets exactly one RESULT or ERROR, on one stream, in order, so no reply overtakes its request.
 * <p>
 * A static helper, not a flyweight: nothing here holds state or allocates.
 */
public final class WireProtocol
{
    /** The protocol's version, the first byte of every message. */
    public static final int VERSION = 1;

    /** Link to host: serve me. */
    public static final int HELLO = 1;
    /** Host to link: served. */
    public static final int ACK = 2;
    /** Link to host: run this. */
    public static final int REQUEST = 3;
    /** Host to link: the task's result. */
    public static final int RESULT = 4;
    /** Host to link: the task (or a codec) failed. */
    public static final int ERROR = 5;
    /** Both ways: still here. */
    public static final int HEARTBEAT = 6;

    /** Flags: a RESULT whose value is null; it has no body. */
    public static final int FLAG_NULL_VALUE = 1;

    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the type byte. */
    public static final int TYPE_OFFSET = 1;
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = 2;
    /** Offset of the body length, int32. */
    public static final int BODY_LENGTH_OFFSET = 4;
    /** Offset of the id, int64. */
    public static final int ID_OFFSET = 8;
    /** Length of the header; the body starts here. */
    public static final int HEADER_LENGTH = 16;

    /** Body of HEARTBEAT (sent nanoTime) and of ACK (host instance id). */
    public static final int LONG_BODY_LENGTH = 8;
    /** The longest ERROR text, in bytes of UTF-8; longer texts are cut. */
    public static final int MAX_ERROR_TEXT_LENGTH = 1024;

    /** Every field is little-endian. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private WireProtocol()
    {
    }

    /**
     * Write a header.
     *
     * @param buffer     to write into.
     * @param offset     where the message starts.
     * @param type       {@link #HELLO} ... {@link #HEARTBEAT}.
     * @param flags      {@link #FLAG_NULL_VALUE} or 0.
     * @param bodyLength bytes after the header.
     * @param id         the message's id field.
     */
    public static void putHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final int flags,
        final int bodyLength,
        final long id)
    {
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + FLAGS_OFFSET + 1, (byte)0);
        buffer.putInt(offset + BODY_LENGTH_OFFSET, bodyLength, BYTE_ORDER);
        buffer.putLong(offset + ID_OFFSET, id, BYTE_ORDER);
    }

    /**
     * Write a message whose body is one long (HEARTBEAT, ACK).
     *
     * @param buffer to write into; room for {@value #HEADER_LENGTH} + {@value #LONG_BODY_LENGTH} bytes.
     * @param offset where the message starts.
     * @param type   {@link #HEARTBEAT} or {@link #ACK}.
     * @param id     the message's id field.
     * @param body   the long after the header.
     */
    public static void putLongMessage(
        final MutableDirectBuffer buffer, final int offset, final int type, final long id, final long body)
    {
        putHeader(buffer, offset, type, 0, LONG_BODY_LENGTH, id);
        buffer.putLong(offset + HEADER_LENGTH, body, BYTE_ORDER);
    }

    /**
     * Whether a message of {@code length} bytes at {@code offset} has this version's header and as many bytes as its
     * header says.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @return true if the other getters may read it.
     */
    public static boolean isWellFormed(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH &&
            VERSION == (buffer.getByte(offset + VERSION_OFFSET) & 0xFF) &&
            length - HEADER_LENGTH == buffer.getInt(offset + BODY_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * @param buffer holds the message.
     * @param offset where it starts.
     * @return its type.
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param buffer holds the message.
     * @param offset where it starts.
     * @return its flags.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @param buffer holds the message.
     * @param offset where it starts.
     * @return its body's length.
     */
    public static int bodyLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BODY_LENGTH_OFFSET, BYTE_ORDER);
    }

    /**
     * @param buffer holds the message.
     * @param offset where it starts.
     * @return its id field.
     */
    public static long id(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + ID_OFFSET, BYTE_ORDER);
    }

    /**
     * @param buffer holds a message with a long body (HEARTBEAT, ACK).
     * @param offset where it starts.
     * @return the long after the header.
     */
    public static long longBody(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + HEADER_LENGTH, BYTE_ORDER);
    }

    /**
     * @param type a message type.
     * @return its name, for messages.
     */
    public static String typeName(final int type)
    {
        switch (type)
        {
            case HELLO:
                return "HELLO";
            case ACK:
                return "ACK";
            case REQUEST:
                return "REQUEST";
            case RESULT:
                return "RESULT";
            case ERROR:
                return "ERROR";
            case HEARTBEAT:
                return "HEARTBEAT";
            default:
                return "UNKNOWN(" + type + ")";
        }
    }
}
