package dev.fulcrum.aeron;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both sides' liveness on a clock moved by hand, over shared memory (what a host sends is readable as soon as
 * {@code doWork} returns), so every boundary is checked to the nanosecond and nothing depends on how busy the
 * machine is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LivenessTest
{
    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final CachedNanoClock clock = new CachedNanoClock();
    private final RecordingReplies<byte[]> replies = new RecordingReplies<>();

    @BeforeEach
    void startTheClock()
    {
        clock.update(TimeUnit.SECONDS.toNanos(1000));
    }

    private AeronWorkerLink<byte[], byte[]> link(final Fixture fixture)
    {
        return fixture.link(builder -> builder
            .nanoClock(clock)
            .heartbeatInterval(INTERVAL_NS, TimeUnit.NANOSECONDS)
            .heartbeatTimeout(TIMEOUT_NS, TimeUnit.NANOSECONDS)
            .connectTimeout(CONNECT_TIMEOUT_NS, TimeUnit.NANOSECONDS));
    }

    private AeronWorkerHost<byte[], byte[]> host(final Fixture fixture, final long balancerTimeoutNs)
    {
        return fixture.host(Fixture::plusOne, builder -> builder
            .nanoClock(clock)
            .heartbeatInterval(INTERVAL_NS, TimeUnit.NANOSECONDS)
            .balancerTimeout(balancerTimeoutNs, TimeUnit.NANOSECONDS));
    }

    private void advanceTo(final long nowNs)
    {
        clock.update(nowNs);
    }

    @Test
    void shouldNotLoseAHostThatPausesJustUnderTheTimeoutAgainAndAgain()
    {
        try (Fixture fixture = Fixture.open(Transport.IPC))
        {
            final AeronWorkerHost<byte[], byte[]> host = host(fixture, TimeUnit.SECONDS.toNanos(60));
            final AeronWorkerLink<byte[], byte[]> link = link(fixture);
            fixture.connect(link, replies);

            for (int pause = 0; pause < 10; pause++)
            {
                host.doWork(); // a heartbeat (one interval or more has passed)
                link.poll(replies);
                final long heardNs = clock.nanoTime();
                assertEquals(heardNs, link.lastHeardNs(), "pause " + pause);

                advanceTo(heardNs + TIMEOUT_NS - 1); // the host is paused: not stepped
                link.poll(replies);
                assertTrue(link.isAlive(clock.nanoTime()), "pause " + pause + ": silent for the timeout less 1 ns");
            }
            assertEquals(LinkLoss.NONE, link.lossReason());
            assertTrue(link.counters().heartbeatsReceived() >= 10);
        }
    }

    @Test
    void shouldLoseAHostSilentForTheTimeoutAndNotBefore()
    {
        try (Fixture fixture = Fixture.open(Transport.IPC))
        {
            final AeronWorkerHost<byte[], byte[]> host = host(fixture, TimeUnit.SECONDS.toNanos(60));
            final AeronWorkerLink<byte[], byte[]> link = link(fixture);
            fixture.connect(link, replies);
            host.doWork();
            link.poll(replies);
            final long heardNs = link.lastHeardNs();

            advanceTo(heardNs + TIMEOUT_NS - 1);
            link.poll(replies);
            assertTrue(link.isAlive(clock.nanoTime()));

            advanceTo(heardNs + TIMEOUT_NS);
            link.poll(replies);
            assertFalse(link.isAlive(clock.nanoTime()));
            assertEquals(LinkLoss.HEARTBEAT_TIMEOUT, link.lossReason());
            assertEquals(heardNs + TIMEOUT_NS, link.lostAtNs());

            host.doWork(); // too late: lost is for good
            link.poll(replies);
            assertFalse(link.isAlive(clock.nanoTime()));
        }
    }

    @Test
    void shouldNotCountHeartbeatsItHasNotReadYetAsMissing()
    {
        try (Fixture fixture = Fixture.open(Transport.IPC))
        {
            final AeronWorkerHost<byte[], byte[]> host = host(fixture, TimeUnit.SECONDS.toNanos(60));
            final AeronWorkerLink<byte[], byte[]> link = link(fixture);
            fixture.connect(link, replies);
            host.doWork();
            link.poll(replies);
            final long heardNs = link.lastHeardNs();

            advanceTo(heardNs + TIMEOUT_NS / 2);
            host.doWork(); // a heartbeat the link's thread, held up, does not read in time
            advanceTo(heardNs + 3 * TIMEOUT_NS);
            assertTrue(link.isAlive(clock.nanoTime()), "the link has not looked since it last heard the host");

            link.poll(replies);
            assertEquals(heardNs + 3 * TIMEOUT_NS, link.lastHeardNs());
            assertTrue(link.isAlive(clock.nanoTime()));
        }
    }

    @Test
    void shouldGiveUpConnectingAtTheConnectTimeoutAndNotBefore()
    {
        try (Fixture fixture = Fixture.open(Transport.IPC))
        {
            final long startNs = clock.nanoTime();
            final AeronWorkerLink<byte[], byte[]> link = link(fixture); // no host
            link.poll(replies);
            assertTrue(link.isAlive(startNs + CONNECT_TIMEOUT_NS - 1));
            assertFalse(link.isAlive(startNs + CONNECT_TIMEOUT_NS));
            assertEquals(LinkLoss.CONNECT_TIMEOUT, link.lossReason());
        }
    }

    @Test
    void shouldDropASilentBalancerAtTheHostsTimeoutAndNotBefore()
    {
        try (Fixture fixture = Fixture.open(Transport.IPC))
        {
            final long balancerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(300);
            final AeronWorkerHost<byte[], byte[]> host = host(fixture, balancerTimeoutNs);
            final AeronWorkerLink<byte[], byte[]> link = link(fixture);
            fixture.connect(link, replies); // the link's first heartbeat went with its last poll
            host.doWork();
            final long heardNs = clock.nanoTime();
            assertTrue(host.isServing());

            advanceTo(heardNs + balancerTimeoutNs - 1); // the link is not polled: it sends nothing
            host.doWork();
            host.doWork();
            assertTrue(host.isServing());

            advanceTo(heardNs + balancerTimeoutNs);
            host.doWork();
            assertFalse(host.isServing());
            assertEquals(1, host.counters().balancersLost());
        }
    }
}
