package dev.fulcrum.aeron;

import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import io.aeron.driver.ext.RandomLossGenerator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP through Aeron's debug channel endpoints, which drop a share of the frames they send and receive: Aeron
 * retransmits what was lost, and every request still gets exactly one reply, its own.
 */
class LossyNetworkTest
{
    /** Drops what its random generator says, and counts the drops, so the test knows loss happened. */
    static final class CountingLoss implements LossGenerator
    {
        final AtomicLong dropped = new AtomicLong();
        private final LossGenerator delegate;

        CountingLoss(final double rate, final long seed)
        {
            this.delegate = new RandomLossGenerator(rate, seed);
        }

        @Override
        public boolean shouldDropFrame(final InetSocketAddress address, final UnsafeBuffer buffer, final int length)
        {
            final boolean drop = delegate.shouldDropFrame(address, buffer, length);
            if (drop)
            {
                dropped.incrementAndGet();
            }
            return drop;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryRequestOnceWhenFramesAreDroppedBothWays()
    {
        final CountingLoss sendLoss = new CountingLoss(0.05, 42);
        final CountingLoss receiveLoss = new CountingLoss(0.05, 43);
        final CountingLoss noLoss = new CountingLoss(0, 44);
        try (Fixture fixture = Fixture.open(Transport.UDP, context -> context
            .sendChannelEndpointSupplier((channel, status, driverContext) ->
                new DebugSendChannelEndpoint(channel, status, driverContext, sendLoss, noLoss))
            .receiveChannelEndpointSupplier((channel, dispatcher, status, driverContext) ->
                new DebugReceiveChannelEndpoint(channel, dispatcher, status, driverContext, receiveLoss, noLoss))))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne,
                builder -> builder.balancerTimeout(10, TimeUnit.SECONDS));
            final AeronWorkerLink<byte[], byte[]> link = fixture.link(builder ->
                builder.heartbeatTimeout(10, TimeUnit.SECONDS)); // retransmission, not loss of the host
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            final int count = 3_000;
            fixture.runAll(link, replies, count, id -> new byte[]{ (byte)id, (byte)(id >> 8), 7 });

            assertEquals(count, replies.results.size(), () -> "errors: " + replies.errors);
            assertEquals(0, replies.duplicates);
            for (int id = 0; id < count; id++)
            {
                assertArrayEquals(new byte[]{ (byte)(id + 1), (byte)((id >> 8) + 1), 8 }, replies.results.get((long)id),
                    "id=" + id);
            }
            assertEquals(count, host.counters().requestsRun(), "each request ran once");
            assertTrue(sendLoss.dropped.get() > 0 && receiveLoss.dropped.get() > 0,
                () -> "frames dropped: sent " + sendLoss.dropped + ", received " + receiveLoss.dropped);
        }
    }
}
