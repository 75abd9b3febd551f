package dev.fulcrum.aeron;

import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link AeronWorkerHost#main(String[])} in a child JVM in a network namespace ({@code ip netns exec}), with a media
 * driver and an Aeron directory of its own, bound only to the namespace's end of the veth pair; its replies go to
 * the root end's address. Closing it kills the JVM and deletes the directory.
 */
final class NamespaceHost implements AutoCloseable
{
    private static final AtomicInteger PORTS = new AtomicInteger(40_123);

    final ChildHost child;
    final String requestChannel;
    final String replyChannel;
    private final File aeronDir;

    private NamespaceHost(
        final ChildHost child, final String requestChannel, final String replyChannel, final File aeronDir)
    {
        this.child = child;
        this.requestChannel = requestChannel;
        this.replyChannel = replyChannel;
        this.aeronDir = aeronDir;
    }

    /**
     * @return a host serving {@link NetnsLoad.PlusAMillion}, ready (it has printed its ready line).
     */
    static NamespaceHost start(final Netns netns)
    {
        final File aeronDir = TestDriver.newDirectory("netns-host-driver");
        final String requestChannel = "aeron:udp?endpoint=" + netns.nsAddress + ":" + PORTS.getAndIncrement();
        final String replyChannel = "aeron:udp?endpoint=" + netns.rootAddress + ":" + netns.freeRootPort();
        final ChildHost child = ChildHost.start(netns.exec(),
            "--embedded-driver=true", "--aeron-dir=" + aeronDir.getAbsolutePath(),
            "--request-channel=" + requestChannel, "--reply-channel=" + replyChannel,
            "--task=" + NetnsLoad.PlusAMillion.class.getName());
        final NamespaceHost host = new NamespaceHost(child, requestChannel, replyChannel, aeronDir);
        try
        {
            child.awaitReady();
        }
        catch (final RuntimeException | Error ex)
        {
            host.close();
            throw ex;
        }
        return host;
    }

    /**
     * @return a link to this host with the link's defaults (heartbeat every 50 ms, lost after 500 ms of silence).
     */
    AeronWorkerLink<byte[], byte[]> link(final TestDriver driver, final boolean safeToRunTwice)
    {
        return AeronWorkerLink.builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(requestChannel)
            .replyChannel(replyChannel)
            .connectTimeout(30, TimeUnit.SECONDS)
            .safeToRunTwice(request -> safeToRunTwice)
            .name("netns-host")
            .build();
    }

    @Override
    public void close()
    {
        child.close();
        IoUtil.delete(aeronDir, true);
    }
}
