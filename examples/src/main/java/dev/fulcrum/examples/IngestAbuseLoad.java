package dev.fulcrum.examples;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The abuse scenario of the ingest server, from loopback: {@code --slowloris} connections that send their headers
 * one byte a second, {@code --half-sent} connections that send all but the last byte of a 1 MiB body and wait, all
 * at once, and one legitimate client posting small bodies on a keep-alive connection meanwhile. Bounded: runs
 * {@code --duration-ms}, then reports and exits, 0 when the goals hold (at least 95% of the legitimate POSTs
 * answered 202 within 2 s; every abusive connection answered 503 or closed, none still open), else 1.
 * <pre>
 * java -cp examples/target/fulcrum-examples.jar dev.fulcrum.examples.IngestAbuseLoad --port=8080
 * </pre>
 * The abusers run on one thread with a selector; the legitimate client on its own, with blocking I/O.
 */
public final class IngestAbuseLoad
{
    private static final byte[] SLOW_HEAD = "POST /v1/payloads HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(
        StandardCharsets.US_ASCII);
    private static final String LEGIT_BODY = "{\"payloads\":[{\"id\":\"legit\",\"v\":[1,2,3]}]}";

    /** One abusive connection and what became of it. */
    private static final class Abuser
    {
        final boolean slow;
        final long startNs;
        ByteBuffer out;
        long nextByteNs;
        long closedNs;
        int status;
        final StringBuilder answer = new StringBuilder();

        Abuser(final boolean slow, final long startNs)
        {
            this.slow = slow;
            this.startNs = startNs;
        }
    }

    private IngestAbuseLoad()
    {
    }

    /**
     * @param args {@code --port=N --slowloris=500 --half-sent=300 --duration-ms=20000 --body-bytes=1048576}.
     * @throws Exception when the server cannot be reached.
     */
    public static void main(final String[] args) throws Exception
    {
        final String usage = "usage: IngestAbuseLoad --port=N [--slowloris=500] [--half-sent=300] " +
            "[--duration-ms=20000] [--body-bytes=1048576]";
        final Args options = Args.parseOrExit(() ->
        {
            final Args parsed = new Args(args);
            return parsed.help() ? null : parsed;
        }, usage);
        if (null == options)
        {
            return;
        }
        final int port = options.positiveInt("port", 8080);
        final int slowloris = (int)options.positiveOrZero("slowloris", 500);
        final int halfSent = (int)options.positiveOrZero("half-sent", 300);
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(options.positiveInt("duration-ms", 20_000));
        final int bodyBytes = options.positiveInt("body-bytes", 1 << 20);
        Args.parseOrExit(() ->
        {
            options.checkAllUsed();
            return options;
        }, usage);

        final long startNs = System.nanoTime();
        final Legitimate legitimate = new Legitimate(port, startNs + durationNs);
        final Thread legitThread = new Thread(legitimate, "abuse-legitimate");

        final Selector selector = Selector.open();
        final byte[] head = ("POST /v1/payloads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            "Content-Length: " + bodyBytes + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer halfRequest = ByteBuffer.allocate(head.length + bodyBytes - 1); // all but the last byte
        halfRequest.put(head);
        while (halfRequest.hasRemaining())
        {
            halfRequest.put((byte)'x');
        }
        halfRequest.flip();
        final List<Abuser> abusers = new ArrayList<>();
        for (int i = 0; i < slowloris + halfSent; i++)
        {
            final boolean slow = i < slowloris;
            final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            final Abuser abuser = new Abuser(slow, System.nanoTime());
            abuser.out = slow ? ByteBuffer.wrap(SLOW_HEAD) : halfRequest.asReadOnlyBuffer();
            abusers.add(abuser);
            channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, abuser);
        }
        legitThread.start(); // once every abusive connection is open: "at once"

        final ByteBuffer in = ByteBuffer.allocate(4096);
        final byte[] oneByte = {'a'};
        while (System.nanoTime() - startNs < durationNs)
        {
            selector.select(50);
            final long now = System.nanoTime();
            for (final SelectionKey key : selector.keys())
            {
                final Abuser abuser = (Abuser)key.attachment();
                final SocketChannel channel = (SocketChannel)key.channel();
                if (!key.isValid())
                {
                    continue;
                }
                try
                {
                    if (key.isReadable())
                    {
                        in.clear();
                        final int n = channel.read(in);
                        if (n < 0)
                        {
                            closed(key, abuser, now);
                            continue;
                        }
                        if (abuser.answer.length() < 12)
                        {
                            abuser.answer.append(new String(in.array(), 0, n, StandardCharsets.US_ASCII));
                            if (abuser.answer.length() >= 12)
                            {
                                abuser.status = Integer.parseInt(abuser.answer.substring(9, 12));
                            }
                        }
                    }
                    if (null != abuser.out && abuser.out.hasRemaining() && key.isWritable())
                    {
                        channel.write(abuser.out);
                    }
                    if (null != abuser.out && !abuser.out.hasRemaining())
                    {
                        abuser.out = null;
                        key.interestOps(SelectionKey.OP_READ);
                        abuser.nextByteNs = now + TimeUnit.SECONDS.toNanos(1);
                    }
                    if (abuser.slow && null == abuser.out && now >= abuser.nextByteNs)
                    {
                        channel.write(ByteBuffer.wrap(oneByte)); // one byte a second, forever
                        abuser.nextByteNs = now + TimeUnit.SECONDS.toNanos(1);
                    }
                }
                catch (final IOException reset)
                {
                    closed(key, abuser, now);
                }
            }
        }
        legitThread.join(TimeUnit.SECONDS.toMillis(10));
        for (final SelectionKey key : selector.keys())
        {
            key.channel().close();
        }
        System.exit(report(abusers, legitimate, durationNs) ? 0 : 1);
    }

    private static void closed(final SelectionKey key, final Abuser abuser, final long now) throws IOException
    {
        abuser.closedNs = now;
        key.cancel();
        key.channel().close();
    }

    private static boolean report(final List<Abuser> abusers, final Legitimate legitimate, final long durationNs)
    {
        boolean ok = true;
        for (final boolean slow : new boolean[]{true, false})
        {
            int count = 0;
            int closed = 0;
            int answered503 = 0;
            int other = 0;
            final Histogram toClose = new Histogram(3);
            for (final Abuser abuser : abusers)
            {
                if (abuser.slow != slow)
                {
                    continue;
                }
                count++;
                if (0 != abuser.closedNs)
                {
                    closed++;
                    toClose.recordValue(TimeUnit.NANOSECONDS.toMillis(abuser.closedNs - abuser.startNs));
                }
                if (503 == abuser.status)
                {
                    answered503++;
                }
                else if (0 != abuser.status)
                {
                    other++;
                }
            }
            System.out.printf("%-10s connections=%d closedByServer=%d answered503=%d otherAnswers=%d stillOpen=%d" +
                " closedAfterMs p50=%d max=%d%n", slow ? "slowloris" : "half-sent", count, closed, answered503,
                other, count - closed, toClose.getValueAtPercentile(50), toClose.getMaxValue());
            ok &= count == closed && 0 == other;
        }
        final Histogram latency = legitimate.latencyUs;
        final double okShare = legitimate.posts == 0 ? 0 : 100.0 * legitimate.within2s / legitimate.posts;
        System.out.printf("legitimate posts=%d accepted202Within2s=%d (%.1f%%) answered503=%d closed=%d timedOut=%d" +
                " latencyMs p50=%.2f p99=%.2f max=%.2f over %d s%n", legitimate.posts, legitimate.within2s,
            okShare, legitimate.refused, legitimate.closed, legitimate.timedOut,
            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
            latency.getMaxValue() / 1e3, TimeUnit.NANOSECONDS.toSeconds(durationNs));
        ok &= okShare >= 95.0;
        System.out.println("goals " + (ok ? "met" : "NOT met") +
            ": >= 95% of legitimate POSTs 202 within 2 s; every abusive connection answered 503 or closed");
        return ok;
    }

    /** The legitimate client: small bodies back to back on a keep-alive connection, reconnecting when closed. */
    private static final class Legitimate implements Runnable
    {
        final int port;
        final long endNs;
        final Histogram latencyUs = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        int posts;
        int within2s;
        int refused;
        int closed;
        int timedOut;

        Legitimate(final int port, final long endNs)
        {
            this.port = port;
            this.endNs = endNs;
        }

        @Override
        public void run()
        {
            final byte[] request = ("POST /v1/payloads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                "Content-Length: " + LEGIT_BODY.length() + "\r\n\r\n" + LEGIT_BODY).getBytes(StandardCharsets.US_ASCII);
            Socket socket = null;
            while (System.nanoTime() < endNs)
            {
                final long start = System.nanoTime();
                posts++;
                try
                {
                    if (null == socket)
                    {
                        socket = new Socket();
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                        socket.setSoTimeout(2_000);
                        socket.setTcpNoDelay(true);
                    }
                    final OutputStream out = socket.getOutputStream();
                    out.write(request);
                    out.flush();
                    final int status = readStatus(socket.getInputStream());
                    final long us = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
                    latencyUs.recordValue(Math.min(us, latencyUs.getHighestTrackableValue()));
                    if (202 == status && us <= 2_000_000)
                    {
                        within2s++;
                    }
                    else if (503 == status)
                    {
                        refused++;
                    }
                    else if (status < 0)
                    {
                        closed++;
                        socket.close();
                        socket = null;
                    }
                }
                catch (final SocketTimeoutException slow)
                {
                    timedOut++;
                    socket = closeQuietly(socket);
                }
                catch (final IOException ex)
                {
                    closed++;
                    socket = closeQuietly(socket);
                }
                sleepMs(10);
            }
            closeQuietly(socket);
        }

        private static int readStatus(final InputStream in) throws IOException
        {
            final StringBuilder head = new StringBuilder();
            int b;
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                if ((b = in.read()) < 0)
                {
                    return -1;
                }
                head.append((char)b);
            }
            final String lower = head.toString().toLowerCase();
            final int at = lower.indexOf("content-length:");
            final int length = at < 0 ? 0 :
                Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
            for (int i = 0; i < length; i++)
            {
                in.read();
            }
            return Integer.parseInt(head.substring(9, 12));
        }

        private static Socket closeQuietly(final Socket socket)
        {
            try
            {
                if (null != socket)
                {
                    socket.close();
                }
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
            return null;
        }

        private static void sleepMs(final long ms)
        {
            try
            {
                Thread.sleep(ms); // pacing of a load generator, not synchronisation
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
