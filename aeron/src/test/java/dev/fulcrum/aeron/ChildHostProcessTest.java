package dev.fulcrum.aeron;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host as a separate process ({@link AeronWorkerHost#main(String[])} in a child JVM): over UDP with a media
 * driver of its own, and over shared memory as a client of this test's driver. Killed with SIGKILL, the link finds
 * it lost by its own heartbeat timeout: this test's driver is told to wait 60 s before it gives up on a client or
 * an image, so Aeron's liveness cannot be what notices, and the wait for the loss is shorter than that.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChildHostProcessTest
{
    private static final long AERON_LIVENESS_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long HEARTBEAT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldServeFromAnotherProcessAndBeLostByHeartbeatWhenKilled(final Transport transport) throws Exception
    {
        try (Fixture fixture = Fixture.open(transport, context -> context
            .clientLivenessTimeoutNs(AERON_LIVENESS_NS)
            .imageLivenessTimeoutNs(AERON_LIVENESS_NS)
            .publicationUnblockTimeoutNs(2 * AERON_LIVENESS_NS)))
        {
            final File childDriver = TestDriver.newDirectory("child-driver");
            final String[] args = transport == Transport.UDP ?
                new String[]{ "--embedded-driver=true", "--aeron-dir=" + childDriver.getAbsolutePath(),
                    "--request-channel=" + fixture.requestChannel, "--reply-channel=" + fixture.replyChannel,
                    "--heartbeat-ms=50", "--balancer-timeout-ms=10000" } :
                new String[]{ "--aeron-dir=" + fixture.driver.aeronDirectoryName(),
                    "--request-channel=" + fixture.requestChannel, "--reply-channel=" + fixture.replyChannel,
                    "--heartbeat-ms=50", "--balancer-timeout-ms=10000", "--reuse-request-arrays=true" };
            try (ChildHost child = ChildHost.start(args))
            {
                child.awaitReady();
                final AeronWorkerLink<byte[], byte[]> link = fixture.link(builder -> builder
                    .heartbeatTimeout(HEARTBEAT_TIMEOUT_NS, TimeUnit.NANOSECONDS)
                    .connectTimeout(30, TimeUnit.SECONDS));
                final RecordingReplies<byte[]> replies = new RecordingReplies<>();
                fixture.connect(link, replies);
                fixture.runAll(link, replies, 200, id -> new byte[]{ (byte)id, 1, 2, 3 });
                for (int id = 0; id < 200; id++)
                {
                    assertArrayEquals(new byte[]{ (byte)id, 1, 2, 3 }, replies.results.get((long)id), "echo, id=" + id);
                }

                child.kill(); // heartbeats it wrote before it died may still be read: the timeout runs from the last
                Await.until(AERON_LIVENESS_NS / 2, () ->
                {
                    link.poll(replies);
                    return !link.isAlive(System.nanoTime());
                }, () -> "the link lost: " + link);

                assertEquals(LinkLoss.HEARTBEAT_TIMEOUT, link.lossReason(), () -> "lost by: " + link.lossReason());
                assertTrue(link.lostAtNs() - link.lastHeardNs() >= HEARTBEAT_TIMEOUT_NS,
                    () -> "not before the timeout: heard " + link.lastHeardNs() + ", lost " + link.lostAtNs());
                assertEquals(200, replies.answered());
                assertEquals(0, replies.duplicates);
            }
            finally
            {
                org.agrona.IoUtil.delete(childDriver, true);
            }
        }
    }
}
