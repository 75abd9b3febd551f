package dev.fulcrum.examples.ingest;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The line {@link DirectoryPayloadSink} writes per payload, and how recovery reads it back:
 * <pre>
 * {"body":"&lt;id&gt;","part":&lt;i&gt;,"of":&lt;n&gt;,"payload":&lt;the client's JSON object&gt;,"crc":&lt;CRC32C&gt;}\n
 * </pre>
 * Still one JSON object per line (newline-delimited JSON, any JSON tool reads it), and cheap to check without a
 * JSON parser: recovery needs the body id, part and count (is the body all there?) and the CRC-32C of the payload's
 * bytes (is this line whole?). The CRC comes last so that the writer can compute it while copying the payload.
 * <p>
 * Threading: stateless; {@link #parse(byte[], int, int)} allocates the id string.
 */
final class PayloadRecord
{
    static final byte[] BODY = "{\"body\":\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PART = "\",\"part\":".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OF = ",\"of\":".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PAYLOAD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CRC = ",\"crc\":".getBytes(StandardCharsets.US_ASCII);

    /** One record read back: which body, which part of how many. */
    record Parsed(String bodyId, int part, int parts, int payloadOffset, int payloadLength)
    {
    }

    private PayloadRecord()
    {
    }

    /**
     * @param line   holds one line, without its {@code \n}.
     * @param from   where the line starts.
     * @param length its length.
     * @return the record, or null when the line is not a whole record (torn, or not written by this sink).
     */
    static Parsed parse(final byte[] line, final int from, final int length)
    {
        final int end = from + length;
        int i = expect(line, from, end, BODY);
        if (i < 0)
        {
            return null;
        }
        final int idStart = i;
        while (i < end && '"' != line[i])
        {
            i++;
        }
        if (i == end || i == idStart)
        {
            return null;
        }
        final String id = new String(line, idStart, i - idStart, StandardCharsets.US_ASCII);
        i = expect(line, i, end, PART);
        final long part = i < 0 ? -1 : number(line, i, end);
        i = i < 0 ? -1 : skipDigits(line, i, end);
        i = expect(line, i, end, OF);
        final long parts = i < 0 ? -1 : number(line, i, end);
        i = i < 0 ? -1 : skipDigits(line, i, end);
        i = expect(line, i, end, PAYLOAD);
        if (i < 0 || part < 0 || parts < 1 || part >= parts || parts > Integer.MAX_VALUE)
        {
            return null;
        }
        // the CRC is at the end: ...,"crc":digits}
        if (end - i < CRC.length + 2 || '}' != line[end - 1])
        {
            return null;
        }
        int digits = end - 1;
        while (digits > i && line[digits - 1] >= '0' && line[digits - 1] <= '9')
        {
            digits--;
        }
        final int crcAt = digits - CRC.length;
        if (digits == end - 1 || crcAt < i || expect(line, crcAt, end, CRC) != digits)
        {
            return null;
        }
        final long crc = number(line, digits, end - 1);
        if (crc != crc32c(line, i, crcAt - i))
        {
            return null;
        }
        return new Parsed(id, (int)part, (int)parts, i, crcAt - i);
    }

    static long crc32c(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /**
     * @return the index after {@code token} when the bytes at {@code at} are {@code token}, else -1.
     */
    private static int expect(final byte[] line, final int at, final int end, final byte[] token)
    {
        if (at < 0 || end - at < token.length)
        {
            return -1;
        }
        for (int k = 0; k < token.length; k++)
        {
            if (line[at + k] != token[k])
            {
                return -1;
            }
        }
        return at + token.length;
    }

    private static long number(final byte[] line, final int at, final int end)
    {
        long value = 0;
        int i = at;
        while (i < end && line[i] >= '0' && line[i] <= '9' && i - at < 18)
        {
            value = value * 10 + (line[i] - '0');
            i++;
        }
        return i == at ? -1 : value;
    }

    private static int skipDigits(final byte[] line, final int at, final int end)
    {
        int i = at;
        while (i < end && line[i] >= '0' && line[i] <= '9')
        {
            i++;
        }
        return i;
    }
}
