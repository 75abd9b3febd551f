package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A loopback HTTP client that sends exactly the bytes a test asks for (half a request, a byte at a time) and
 * reads what comes back: the client side of a slow or hostile connection.
 */
final class RawClient implements AutoCloseable
{
    private final Socket socket = new Socket();
    private final InputStream in;

    RawClient(final int port) throws IOException
    {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    RawClient send(final String text) throws IOException
    {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return this;
    }

    static String post(final String body)
    {
        return "POST /v1/payloads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
            "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /**
     * @return the status of the next response, or -1 when the connection closed first; reads its headers and body.
     */
    int readStatus(final long timeoutMs) throws IOException
    {
        socket.setSoTimeout((int)timeoutMs);
        final StringBuilder head = new StringBuilder();
        try
        {
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                final int b = in.read();
                if (b < 0)
                {
                    return -1;
                }
                head.append((char)b);
            }
        }
        catch (final SocketException reset)
        {
            return -1;
        }
        final String text = head.toString();
        final int length = text.toLowerCase().contains("content-length: ") ?
            Integer.parseInt(text.toLowerCase().split("content-length: ")[1].split("\r\n")[0].trim()) : 0;
        for (int i = 0; i < length; i++)
        {
            if (in.read() < 0)
            {
                break;
            }
        }
        return Integer.parseInt(text.substring(9, 12));
    }

    /**
     * @return true once the server has closed the connection (end of stream or reset), false when it is still
     *         open after {@code timeoutMs}; whatever the server sent before is skipped.
     */
    boolean awaitClosed(final long timeoutMs) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        final byte[] skip = new byte[8192];
        while (System.nanoTime() < deadline)
        {
            socket.setSoTimeout((int)Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            try
            {
                if (in.read(skip) < 0)
                {
                    return true;
                }
            }
            catch (final SocketTimeoutException stillOpen)
            {
                return false;
            }
            catch (final SocketException reset)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when the server has closed the connection by now (does not wait).
     */
    boolean closedNow()
    {
        try
        {
            return awaitClosed(1);
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
