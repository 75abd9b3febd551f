package dev.fulcrum.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The plumbing of {@link RemotePikeDemo}: worker hosts ({@code dev.fulcrum.aeron.AeronWorkerHost}'s command line)
 * started as child JVMs on this JVM's class path, each with a media driver of its own and its own pair of UDP ports on
 * loopback, then killed (SIGKILL) or stopped.
 */
final class WorkerHostProcesses implements AutoCloseable
{
    private static final String READY = "fulcrum-aeron host ready";

    /** One host: its process and the channels a link to it uses. */
    static final class Host
    {
        final Process process;
        /** Where the host listens for requests. */
        final String requestChannel;
        /** Where the link listens for the host's replies. */
        final String replyChannel;
        private final CountDownLatch ready = new CountDownLatch(1);

        Host(final Process process, final String requestChannel, final String replyChannel)
        {
            this.process = process;
            this.requestChannel = requestChannel;
            this.replyChannel = replyChannel;
        }
    }

    private final List<Host> hosts = new ArrayList<>();

    /**
     * Start {@code count} hosts running {@link PikeWork}, and wait until each says it is ready.
     *
     * @param aeronDirs where each host's driver keeps its files (made anew).
     */
    WorkerHostProcesses(final int count, final Path aeronDirs) throws InterruptedException
    {
        for (int i = 0; i < count; i++)
        {
            final String request = "aeron:udp?endpoint=localhost:" + freeUdpPort();
            final String reply = "aeron:udp?endpoint=localhost:" + freeUdpPort();
            final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Xmx64m", "-Daeron.term.buffer.length=65536",
                "-cp", System.getProperty("java.class.path"),
                "dev.fulcrum.aeron.AeronWorkerHost",
                "--embedded-driver=true",
                "--aeron-dir=" + aeronDirs.resolve("host-" + i).toAbsolutePath(),
                "--request-channel=" + request,
                "--reply-channel=" + reply,
                "--task=" + PikeWork.class.getName()));
            final Process process;
            try
            {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("could not start a worker host: " + command, ex);
            }
            final Host host = new Host(process, request, reply);
            hosts.add(host);
            final Thread reader = new Thread(() -> readOutput(host), "host-" + i + "-output");
            reader.setDaemon(true);
            reader.start();
        }
        for (final Host host : hosts)
        {
            if (!host.ready.await(60, TimeUnit.SECONDS))
            {
                close();
                throw new IllegalStateException("a worker host did not say it was ready within 60 s");
            }
        }
    }

    Host get(final int i)
    {
        return hosts.get(i);
    }

    /**
     * Kill host {@code i} at once, as a crash would (SIGKILL): it neither replies nor says goodbye.
     */
    void kill(final int i)
    {
        hosts.get(i).process.destroyForcibly();
    }

    @Override
    public void close()
    {
        for (final Host host : hosts)
        {
            host.process.destroy(); // SIGTERM: the host closes its driver and ends
        }
        for (final Host host : hosts)
        {
            try
            {
                if (!host.process.waitFor(10, TimeUnit.SECONDS))
                {
                    host.process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                host.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void readOutput(final Host host)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(host.process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (line.startsWith(READY))
                {
                    host.ready.countDown();
                }
            }
        }
        catch (final IOException ignore)
        {
            // the host ended
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("no free UDP port on loopback", ex);
        }
    }
}
