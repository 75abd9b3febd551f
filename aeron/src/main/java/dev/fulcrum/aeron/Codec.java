package dev.fulcrum.aeron;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How a value (a request, or a result) is written into an Agrona buffer and read back. The link encodes requests
 * and decodes results; the host decodes requests and encodes results. Each side calls its codecs on one thread (the
 * link's engine thread, the host's agent thread), so a codec may keep reusable state; share an instance between
 * links or hosts only if it is stateless.
 * <p>
 * The protocol writes the value straight into Aeron's term buffer when it fits one frame
 * ({@code Publication.tryClaim}), else into a buffer reused for every message, so nothing is allocated per message
 * unless the codec allocates. Whether {@link #decode(DirectBuffer, int, int)} makes a new object is the codec's
 * choice: the bytes it is given are valid only during the call.
 * <p>
 * Anything {@code encode} or {@code decode} throws fails that one message: the request gets an error reply, the
 * link and the host go on.
 *
 * @param <T> the type encoded.
 */
public interface Codec<T>
{
    /**
     * @param value never null.
     * @return exactly how many bytes {@link #encode(Object, MutableDirectBuffer, int)} writes for {@code value}.
     */
    int encodedLength(T value);

    /**
     * Write {@code value} at {@code offset}: exactly {@link #encodedLength(Object)} bytes, called just before.
     *
     * @param value  never null.
     * @param buffer to write into; it has room for {@code encodedLength(value)} bytes from {@code offset}.
     * @param offset where the value starts.
     */
    void encode(T value, MutableDirectBuffer buffer, int offset);

    /**
     * Read a value written by {@link #encode(Object, MutableDirectBuffer, int)}.
     *
     * @param buffer holds the bytes; valid only during this call.
     * @param offset where the value starts.
     * @param length how many bytes it has.
     * @return the value; may be an object reused from call to call if the receiving side never keeps it (say so).
     */
    T decode(DirectBuffer buffer, int offset, int length);
}
