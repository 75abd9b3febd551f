package dev.fulcrum.aeron;

import dev.fulcrum.Balancer;
import dev.fulcrum.Reply;
import dev.fulcrum.ThreadingMode;
import dev.fulcrum.WorkerLostException;
import dev.fulcrum.WorkerState;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@link Balancer} whose workers are all remote ({@code workers(0)}, then {@code addWorker(link)}): hosts
 * on threads of this process, and one in a child JVM that is killed halfway.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BalancerEndToEndTest
{
    private static final int REQUESTS = 4_000;
    /** For the hosts that stay up: a busy machine must not make them look lost. */
    private static final long LIVE_HOST_TIMEOUT_MS = 10_000;

    private static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    }

    private static byte[] request(final int i)
    {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static int number(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).getInt();
    }

    /** Counts the replies to each request and checks each result is its request's. */
    static final class CountingReply implements Reply<byte[], byte[]>
    {
        final AtomicIntegerArray replies = new AtomicIntegerArray(REQUESTS);
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<String> wrong = new CopyOnWriteArrayList<>();

        @Override
        public void onResult(final byte[] request, final byte[] result)
        {
            final int i = number(request);
            replies.incrementAndGet(i);
            if (null == result || number(result) != i + 1_000_000)
            {
                wrong.add("request " + i);
            }
        }

        @Override
        public void onError(final byte[] request, final Throwable error)
        {
            replies.incrementAndGet(number(request));
            errors.add(error);
        }

        void assertEveryRequestAnsweredOnce()
        {
            for (int i = 0; i < REQUESTS; i++)
            {
                assertEquals(1, replies.get(i), "replies to request " + i);
            }
        }
    }

    /** The hosts' task: the request's number plus a million. */
    static byte[] plusAMillion(final byte[] request)
    {
        return ByteBuffer.allocate(4).putInt(number(request) + 1_000_000).array();
    }

    private static Balancer<byte[], byte[]> balancer()
    {
        return Balancer.<byte[], byte[]>builder(request ->
            {
                throw new AssertionError("no local worker");
            })
            .workers(0)
            .maxWorkers(2)
            .maxPendingPerWorker(64)
            .ringSize(1024)
            .threadingMode(ThreadingMode.DEDICATED)
            .balancerIdleStrategy(BalancerEndToEndTest::backoff)
            .workerIdleStrategy(BalancerEndToEndTest::backoff)
            .errorHandler(t -> { })
            .build();
    }

    private static AeronWorkerLink<byte[], byte[]> link(
        final TestDriver driver, final String[] channels, final boolean safeToRunTwice, final long heartbeatTimeoutMs)
    {
        return AeronWorkerLink.builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(channels[0])
            .replyChannel(channels[1])
            .safeToRunTwice(request -> safeToRunTwice)
            .connectTimeout(30, TimeUnit.SECONDS)
            .heartbeatTimeout(heartbeatTimeoutMs, TimeUnit.MILLISECONDS)
            .build();
    }

    private static AgentRunner startHost(final TestDriver driver, final String[] channels)
    {
        final AeronWorkerHost<byte[], byte[]> host = AeronWorkerHost
            .builder(BalancerEndToEndTest::plusAMillion, ByteArrayCodec.reusing(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(channels[0])
            .replyChannel(channels[1])
            .balancerTimeout(LIVE_HOST_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .build();
        final AgentRunner runner = new AgentRunner(backoff(), Throwable::printStackTrace, null, host);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    @Test
    void shouldAnswerEveryRequestOnceThroughTwoRemoteWorkers()
    {
        final List<AgentRunner> hosts = new ArrayList<>();
        try (TestDriver driver = TestDriver.launch())
        {
            final Balancer<byte[], byte[]> balancer = balancer();
            try
            {
                final String[] ipc = { "aeron:ipc", "aeron:ipc" };
                final String[] udp = Transport.UDP.channels();
                hosts.add(startHost(driver, ipc));
                hosts.add(startHost(driver, udp));
                balancer.addWorker(link(driver, ipc, false, LIVE_HOST_TIMEOUT_MS));
                balancer.addWorker(link(driver, udp, false, LIVE_HOST_TIMEOUT_MS));

                final CountingReply reply = new CountingReply();
                for (int i = 0; i < REQUESTS; i++)
                {
                    balancer.submit(request(i), reply);
                }
                assertTrue(balancer.close(Duration.ofSeconds(60)), "drained");

                reply.assertEveryRequestAnsweredOnce();
                assertTrue(reply.errors.isEmpty(), reply.errors::toString);
                assertTrue(reply.wrong.isEmpty(), reply.wrong::toString);
            }
            finally
            {
                balancer.closeNow();
                CloseHelper.closeAll(hosts);
            }
        }
    }

    @Test
    void shouldRunWhatAKilledHostHeldOnTheOtherWhenSafeToRunTwice() throws Exception
    {
        final List<AgentRunner> hosts = new ArrayList<>();
        try (TestDriver driver = TestDriver.launch(context -> context
            .clientLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(60))
            .publicationUnblockTimeoutNs(TimeUnit.SECONDS.toNanos(120))))
        {
            final String[] local = Transport.UDP.channels();
            final String[] remote = Transport.UDP.channels();
            final java.io.File childDriver = TestDriver.newDirectory("child-driver");
            final Balancer<byte[], byte[]> balancer = balancer();
            try (ChildHost child = ChildHost.start("--embedded-driver=true",
                "--aeron-dir=" + childDriver.getAbsolutePath(),
                "--request-channel=" + remote[0], "--reply-channel=" + remote[1],
                "--task=" + PlusAMillion.class.getName()))
            {
                child.awaitReady();
                hosts.add(startHost(driver, local));
                final AeronWorkerLink<byte[], byte[]> remoteLink = link(driver, remote, true, 1_000);
                final int remoteWorker = balancer.addWorker(remoteLink);
                balancer.addWorker(link(driver, local, true, LIVE_HOST_TIMEOUT_MS));

                final CountingReply reply = new CountingReply();
                for (int i = 0; i < REQUESTS; i++)
                {
                    balancer.submit(request(i), reply);
                    if (i == REQUESTS / 2)
                    {
                        child.kill();
                    }
                }
                assertTrue(balancer.close(Duration.ofSeconds(60)), "drained");

                reply.assertEveryRequestAnsweredOnce();
                for (final Throwable error : reply.errors)
                {
                    assertTrue(error instanceof WorkerLostException, () -> "only a lost worker's errors: " + error);
                }
                assertTrue(reply.errors.isEmpty(), () -> "unkeyed and safe to run twice: every one ran again, " +
                    reply.errors.size() + " did not");
                assertTrue(reply.wrong.isEmpty(), reply.wrong::toString);
                assertEquals(WorkerState.GONE, balancer.stats().state(remoteWorker));
                assertEquals(LinkLoss.HEARTBEAT_TIMEOUT, remoteLink.lossReason(), "lost, not closed at the end");
                assertTrue(remoteLink.counters().repliesReceived() > 0, "the child host served before it was killed");
            }
            finally
            {
                balancer.closeNow();
                CloseHelper.closeAll(hosts);
                org.agrona.IoUtil.delete(childDriver, true);
            }
        }
    }

    /** The child host's task, by class name. */
    public static final class PlusAMillion implements dev.fulcrum.Task<byte[], byte[]>
    {
        @Override
        public byte[] execute(final byte[] request)
        {
            return plusAMillion(request);
        }
    }
}
