package dev.fulcrum.aeron;

import dev.fulcrum.Balancer;
import dev.fulcrum.ThreadingMode;
import dev.fulcrum.WorkerLostException;
import dev.fulcrum.WorkerState;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker host in another network namespace, joined to this one by a veth pair that {@code scripts/netns.sh}
 * makes: the host runs in a child JVM started with {@code ip netns exec}, with a media driver of its own, and binds
 * only to its end's address; the balancer (a real {@link Balancer} with {@code workers(0)} and an
 * {@link AeronWorkerLink} added) runs in this JVM, and the link's replies come to the root end's address only.
 * The link keeps its defaults (heartbeat every 50 ms, lost after 500 ms of silence): the point is whether they
 * flap and how fast they notice. The cases, each a few seconds of closed-loop traffic:
 * <ul>
 * <li>clean: every request answered once with its own result, the link never lost;</li>
 * <li>{@code tc netem delay 20ms 5ms loss 2%} both ways, and {@code delay 200ms} both ways: the same, no false
 * positive;</li>
 * <li>the host's process stopped (SIGSTOP) until the link has been silent for half its timeout, then continued:
 * no false positive;</li>
 * <li>the host killed (SIGKILL) mid-load: lost within the timeout and a margin, what it held runs again on a
 * second host in this namespace;</li>
 * <li>the host cut off while it runs ({@code netem loss 100%}, or without netem the script's {@code cut}): lost
 * within the timeout and a margin, what was in flight answered with {@link WorkerLostException}; after the cut is
 * cleared a new link to the same host serves the rest, and nothing late is delivered.</li>
 * </ul>
 * Each case prints one line with what it measured (detection times, false positives, the worst silence seen), so
 * it can be quoted. Timings are asserted only against the heartbeat timeout plus a generous margin.
 * <p>
 * Skipped, with a line saying why, where the namespace cannot be made: not Linux, not root, no {@code bash},
 * {@code ip} or {@code tc}, or {@code ip netns add} refused (a container without the capability). The netem cases
 * are skipped, saying so, on a kernel without netem. The namespace is made once for the class (removing one left
 * by an earlier run under the same name), cleared of netem and cut after each case, and removed at the end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetnsTest
{
    /** The link's default: the tests keep it. */
    private static final long HEARTBEAT_TIMEOUT_NS = Settings.DEFAULT_TIMEOUT_NS;
    /** A busy machine may hold the link's thread, or the host's, up: never assert detection tighter than this. */
    private static final long DETECTION_MARGIN_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long TRAFFIC_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long LONG_TRAFFIC_NS = TimeUnit.SECONDS.toNanos(4);
    /** For a load stopped by the test: only a cap. */
    private static final long UNTIL_STOPPED_NS = TimeUnit.SECONDS.toNanos(40);
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int WINDOW = 32;
    /** Replies a host must have sent before a case kills or cuts it, or before the case stops its load. */
    private static final int SERVED = 100;
    /** For the second host, in this JVM: a busy machine must not make it look lost. */
    private static final long LOCAL_HOST_TIMEOUT_MS = 10_000;

    private static Netns netns;
    private static String whyNoNamespace;
    private static String whyNoNetem;

    private final List<Throwable> engineErrors = new CopyOnWriteArrayList<>();

    /** How a case cuts the host off while it keeps running. */
    enum Cut
    {
        /** {@code netem loss 100%} on both ends. */
        NETEM_LOSS,
        /** The script's {@code cut}: each end's neighbour entry for the other pinned to an unused MAC address. */
        NEIGHBOUR
    }

    @BeforeAll
    static void makeNamespace()
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            whyNoNamespace = "network namespaces need Linux: os.name=" + System.getProperty("os.name");
        }
        else
        {
            try
            {
                netns = Netns.up(name()); // removes what a previous run left under this name first
                whyNoNetem = netns.whyNoNetem();
            }
            catch (final Netns.Failure ex)
            {
                whyNoNamespace = "cannot make a network namespace: " + ex.getMessage();
            }
        }
        if (null != whyNoNamespace)
        {
            System.out.println("NetnsTest: every case skipped: " + whyNoNamespace);
        }
        else if (null != whyNoNetem)
        {
            System.out.println("NetnsTest: the netem cases skipped: tc netem is not available here: " + whyNoNetem);
        }
    }

    /** Each case is skipped on its own, so that the report counts them as skipped, not as never there. */
    @BeforeEach
    void assumeNamespace()
    {
        Assumptions.assumeTrue(null == whyNoNamespace, () -> whyNoNamespace);
    }

    @AfterEach
    void clearNetem() throws Netns.Failure
    {
        if (null != netns)
        {
            netns.clear();
        }
    }

    @AfterAll
    static void removeNamespace() throws Netns.Failure
    {
        if (null != netns)
        {
            Netns.down(netns.name);
            netns = null;
        }
    }

    /**
     * @return the namespace's name: {@code -Dfulcrum.netns.name}, else one derived from this checkout's path, so
     * runs in two checkouts at once do not remove each other's.
     */
    private static String name()
    {
        final String given = System.getProperty("fulcrum.netns.name");
        if (null != given)
        {
            return given;
        }
        final int hash = Path.of("").toAbsolutePath().toString().hashCode();
        return "fa" + String.format("%06x", hash & 0xff_ffff);
    }

    private static void assumeNetem()
    {
        Assumptions.assumeTrue(null == whyNoNetem, () -> "tc netem is not available here: " + whyNoNetem);
    }

    @Test
    void shouldAnswerEveryRequestOnceAcrossTheVethPair() throws Exception
    {
        final NetnsOutcome outcome = runThroughOneHost(TRAFFIC_NS);
        System.out.println("netns clean: " + outcome);
        outcome.assertNoFalsePositive();
    }

    @Test
    void shouldNotLoseTheLinkAndAnswerEveryRequestOnceThroughDelayAndLoss() throws Exception
    {
        assumeNetem();
        netns.netem("delay 20ms 5ms loss 2%");
        final NetnsOutcome outcome = runThroughOneHost(LONG_TRAFFIC_NS);
        System.out.println("netns netem delay 20ms 5ms loss 2% both ways: " + outcome);
        outcome.assertNoFalsePositive();
    }

    @Test
    void shouldNotLoseTheLinkThroughADelayWellUnderTheTimeout() throws Exception
    {
        assumeNetem();
        netns.netem("delay 200ms");
        final NetnsOutcome outcome = runThroughOneHost(LONG_TRAFFIC_NS);
        System.out.println("netns netem delay 200ms both ways: " + outcome);
        outcome.assertNoFalsePositive();
    }

    /**
     * The whole host process stops (SIGSTOP: its task, its heartbeats and its media driver, as in a long GC pause
     * or a descheduled machine) until the link has heard nothing for half its timeout, then goes on (SIGCONT): the
     * link must ride it out, and the host must not drop the balancer whose heartbeats queued up meanwhile.
     */
    @Test
    void shouldNotLoseAHostPausedForHalfTheTimeout() throws Exception
    {
        final long pauseSilenceNs = HEARTBEAT_TIMEOUT_NS / 2;
        try (TestDriver driver = TestDriver.launch();
            NamespaceHost host = NamespaceHost.start(netns))
        {
            final Balancer<byte[], byte[]> balancer = balancer();
            try
            {
                final AeronWorkerLink<byte[], byte[]> link = host.link(driver, false);
                final int worker = balancer.addWorker(link);
                final LinkSilence silence = new LinkSilence(link);
                try (NetnsLoad load = NetnsLoad.start(balancer, WINDOW, UNTIL_STOPPED_NS))
                {
                    awaitServed(link, load, host);
                    try
                    {
                        host.child.signal("STOP");
                    }
                    catch (final IOException ex)
                    {
                        Assumptions.abort("no kill command to stop the host with: " + ex);
                    }
                    final long stopNs = System.nanoTime();
                    Await.until(WAIT_NS, () ->
                    {
                        silence.look();
                        return System.nanoTime() - link.lastHeardNs() >= pauseSilenceNs ||
                            LinkLoss.NONE != link.lossReason();
                    }, () -> "the link silent for " + ms(pauseSilenceNs) + " ms: " + link);
                    host.child.signal("CONT");
                    final long pausedNs = System.nanoTime() - stopNs;
                    final int answeredAtResume = load.answered();
                    Await.until(WAIT_NS, () ->
                    {
                        silence.look();
                        return load.answered() >= answeredAtResume + SERVED || LinkLoss.NONE != link.lossReason();
                    }, () -> "the host serving again: " + load + ", " + link);
                    load.stop();
                    load.awaitDone(WAIT_NS, silence::look);

                    final NetnsOutcome outcome = new NetnsOutcome(load, link, balancer.stats().state(worker), silence,
                        engineErrors);
                    System.out.println("netns SIGSTOP for " + ms(pausedNs) + " ms, until the link had heard nothing " +
                        "for " + ms(pauseSilenceNs) + " ms, then SIGCONT: " + outcome);
                    outcome.assertNoFalsePositive();
                }
                assertTrue(balancer.close(Duration.ofSeconds(30)), "drained");
            }
            finally
            {
                balancer.closeNow();
            }
        }
    }

    /**
     * The host in the namespace is killed mid-load; a second host, in this JVM (root namespace, loopback), takes the
     * rest. The requests are unkeyed and safe to run twice, so what the killed host held runs again there: every
     * request gets its result, none an error.
     */
    @Test
    void shouldLoseAKilledHostWithinTheTimeoutAndRunWhatItHeldOnTheOther() throws Exception
    {
        try (TestDriver driver = TestDriver.launch();
            NamespaceHost host = NamespaceHost.start(netns))
        {
            final Balancer<byte[], byte[]> balancer = balancer();
            final String[] local = Transport.UDP.channels();
            final AgentRunner localHost = startLocalHost(driver, local);
            try
            {
                final AeronWorkerLink<byte[], byte[]> link = host.link(driver, true);
                final int worker = balancer.addWorker(link);
                balancer.addWorker(localLink(driver, local));
                try (NetnsLoad load = NetnsLoad.start(balancer, WINDOW, UNTIL_STOPPED_NS))
                {
                    awaitServed(link, load, host);

                    final long killNs = System.nanoTime();
                    host.child.kill();
                    awaitLost(link, load);
                    final long goneNs = awaitGone(balancer, worker);
                    final int answeredAtGone = load.answered();
                    Await.until(WAIT_NS, () -> load.answered() >= answeredAtGone + SERVED,
                        () -> "the other host serving after the loss: " + load);
                    load.stop();
                    load.awaitDone(WAIT_NS, () -> { });

                    final long unanswered = link.counters().requestsSent() - link.counters().repliesReceived();
                    System.out.println("netns SIGKILL: detected " + ms(link.lostAtNs() - killNs) +
                        " ms after the kill (heartbeat timeout " + ms(HEARTBEAT_TIMEOUT_NS) + " ms, lost by " +
                        link.lossReason() + ", last heard " + ms(link.lostAtNs() - link.lastHeardNs()) +
                        " ms before the loss); worker GONE seen " + ms(goneNs - killNs) + " ms after the kill; " +
                        unanswered + " in flight there ran again on the other host; " + load.submitted() +
                        " requests, " + load.errors.size() + " errors");

                    assertEquals(LinkLoss.HEARTBEAT_TIMEOUT, link.lossReason());
                    assertTrue(link.lostAtNs() - link.lastHeardNs() >= HEARTBEAT_TIMEOUT_NS, "not before the timeout");
                    assertTrue(link.lostAtNs() - killNs <= HEARTBEAT_TIMEOUT_NS + DETECTION_MARGIN_NS,
                        () -> "detected within the timeout and a margin: " + ms(link.lostAtNs() - killNs) + " ms");
                    load.assertEveryRequestAnsweredOnce();
                    assertTrue(load.errors.isEmpty(), () -> "safe to run twice, with another host: " + load.errors);
                    assertEngineReportedOnlyLosses(1);
                }
                assertTrue(balancer.close(Duration.ofSeconds(30)), "drained");
            }
            finally
            {
                balancer.closeNow();
                CloseHelper.close(localHost);
            }
        }
    }

    /**
     * The host keeps running but every frame between the namespaces is dropped: the link must be lost within the
     * timeout. With no other worker and requests not safe to run twice, what was in flight is answered with
     * {@link WorkerLostException} and the rest waits. Then the cut is cleared and a new link, on the same channels,
     * is added: the host serves it, and whatever the first link's session still had on its way (late replies) is
     * never delivered, so no request is answered twice or with another's result.
     */
    @ParameterizedTest
    @EnumSource(Cut.class)
    void shouldLoseACutOffHostWithinTheTimeoutAndNeverDeliverItsLateReplies(final Cut cut) throws Exception
    {
        if (Cut.NETEM_LOSS == cut)
        {
            assumeNetem();
        }
        try (TestDriver driver = TestDriver.launch();
            NamespaceHost host = NamespaceHost.start(netns))
        {
            final Balancer<byte[], byte[]> balancer = balancer();
            try
            {
                final AeronWorkerLink<byte[], byte[]> first = host.link(driver, false);
                final int worker = balancer.addWorker(first);
                try (NetnsLoad load = NetnsLoad.start(balancer, WINDOW, UNTIL_STOPPED_NS))
                {
                    awaitServed(first, load, host);

                    final long cutAskedNs = System.nanoTime();
                    if (Cut.NETEM_LOSS == cut)
                    {
                        netns.netem("loss 100%");
                    }
                    else
                    {
                        netns.cut();
                    }
                    final long cutNs = System.nanoTime();
                    awaitLost(first, load);
                    final long repliesAtLoss = first.counters().repliesReceived();
                    awaitGone(balancer, worker);
                    final int errorsAtLoss = load.errors.size();

                    netns.clear();
                    final AeronWorkerLink<byte[], byte[]> second = host.link(driver, false);
                    balancer.addWorker(second);
                    Await.until(WAIT_NS, () -> second.counters().repliesReceived() >= SERVED,
                        () -> "the new link served after the cut was cleared: " + second + ", " + load +
                        "; host stderr: " + host.child.errors());
                    load.stop();
                    load.awaitDone(WAIT_NS, () -> { });

                    System.out.println("netns cut (" + cut + "): detected " + ms(first.lostAtNs() - cutNs) +
                        " ms after the cut was made (" + ms(cutNs - cutAskedNs) + " ms to make it; heartbeat timeout " +
                        ms(HEARTBEAT_TIMEOUT_NS) + " ms, lost by " + first.lossReason() + "); " + errorsAtLoss +
                        " in flight answered WorkerLostException, the first " + ms(load.firstErrorNs() - cutNs) +
                        " ms after the cut; after clearing, the first link delivered " +
                        (first.counters().repliesReceived() - repliesAtLoss) + " late replies and the new link " +
                        "ignored " + second.counters().ignoredMessages() + " messages (another session's, or before " +
                        "its ACK); " + load.submitted() + " requests");

                    assertEquals(LinkLoss.HEARTBEAT_TIMEOUT, first.lossReason());
                    assertTrue(first.lostAtNs() - first.lastHeardNs() >= HEARTBEAT_TIMEOUT_NS, "not before the timeout");
                    assertTrue(first.lostAtNs() - cutAskedNs <= HEARTBEAT_TIMEOUT_NS + DETECTION_MARGIN_NS,
                        () -> "detected within the timeout and a margin: " + ms(first.lostAtNs() - cutAskedNs) + " ms");
                    assertEquals(repliesAtLoss, first.counters().repliesReceived(), "nothing delivered after the loss");
                    assertTrue(second.isConnected(), () -> "the new link stays: " + second);
                    load.assertEveryRequestAnsweredOnce();
                    assertTrue(errorsAtLoss <= WINDOW, () -> "only what was in flight: " + errorsAtLoss);
                    assertEquals(errorsAtLoss, load.errors.size(), "no error after the loss");
                    for (final Throwable error : load.errors)
                    {
                        assertTrue(error instanceof WorkerLostException, () -> "only the lost worker's: " + error);
                    }
                    assertEngineReportedOnlyLosses(1);
                }
                assertTrue(balancer.close(Duration.ofSeconds(30)), "drained");
            }
            finally
            {
                balancer.closeNow();
            }
        }
    }

    /**
     * One host in the namespace, one link to it, traffic for {@code trafficNs}; the silence the link sees is watched
     * all along.
     */
    private NetnsOutcome runThroughOneHost(final long trafficNs) throws Exception
    {
        try (TestDriver driver = TestDriver.launch();
            NamespaceHost host = NamespaceHost.start(netns))
        {
            final Balancer<byte[], byte[]> balancer = balancer();
            try
            {
                final AeronWorkerLink<byte[], byte[]> link = host.link(driver, false);
                final int worker = balancer.addWorker(link);
                final NetnsOutcome outcome;
                try (NetnsLoad load = NetnsLoad.start(balancer, WINDOW, trafficNs))
                {
                    final LinkSilence silence = new LinkSilence(link);
                    load.awaitDone(trafficNs + WAIT_NS, silence::look);
                    outcome = new NetnsOutcome(load, link, balancer.stats().state(worker), silence,
                        engineErrors);
                }
                assertTrue(balancer.close(Duration.ofSeconds(30)), "drained");
                return outcome;
            }
            finally
            {
                balancer.closeNow();
            }
        }
    }

    private static IdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 10, 1_000, 100_000);
    }

    private Balancer<byte[], byte[]> balancer()
    {
        return Balancer.<byte[], byte[]>builder(request ->
            {
                throw new AssertionError("no local worker");
            })
            .workers(0)
            .maxWorkers(3)
            .maxPendingPerWorker(64)
            .ringSize(1024)
            .threadingMode(ThreadingMode.DEDICATED)
            .balancerIdleStrategy(NetnsTest::backoff)
            .workerIdleStrategy(NetnsTest::backoff)
            .errorHandler(engineErrors::add)
            .build();
    }

    private static AgentRunner startLocalHost(final TestDriver driver, final String[] channels)
    {
        final AeronWorkerHost<byte[], byte[]> host = AeronWorkerHost
            .builder(new NetnsLoad.PlusAMillion(), ByteArrayCodec.reusing(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(channels[0])
            .replyChannel(channels[1])
            .balancerTimeout(LOCAL_HOST_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .build();
        final AgentRunner runner = new AgentRunner(backoff(), Throwable::printStackTrace, null, host);
        AgentRunner.startOnThread(runner);
        return runner;
    }

    private static AeronWorkerLink<byte[], byte[]> localLink(final TestDriver driver, final String[] channels)
    {
        return AeronWorkerLink.builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(channels[0])
            .replyChannel(channels[1])
            .safeToRunTwice(request -> true)
            .connectTimeout(30, TimeUnit.SECONDS)
            .heartbeatTimeout(LOCAL_HOST_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .name("local-host")
            .build();
    }

    private static void awaitServed(final AeronWorkerLink<?, ?> link, final NetnsLoad load, final NamespaceHost host)
    {
        Await.until(WAIT_NS, () ->
        {
            if (LinkLoss.NONE != link.lossReason())
            {
                throw new AssertionError("lost before the case began: " + link + ", " + load);
            }
            return link.counters().repliesReceived() >= SERVED;
        }, () -> "the namespace's host serving: " + link + ", " + load + "; host stderr: " + host.child.errors());
    }

    private static void awaitLost(final AeronWorkerLink<?, ?> link, final NetnsLoad load)
    {
        Await.until(WAIT_NS, () -> LinkLoss.NONE != link.lossReason(), () -> "the link lost: " + link + ", " + load);
    }

    /**
     * @return when the balancer was seen to have the worker GONE.
     */
    private static long awaitGone(final Balancer<?, ?> balancer, final int worker)
    {
        Await.until(WAIT_NS, () -> WorkerState.GONE == balancer.stats().state(worker),
            () -> "worker " + worker + " GONE: " + balancer.stats().state(worker));
        return System.nanoTime();
    }

    private void assertEngineReportedOnlyLosses(final int losses)
    {
        assertEquals(losses, engineErrors.size(), () -> "the engine reported: " + engineErrors);
        for (final Throwable error : engineErrors)
        {
            assertTrue(error instanceof WorkerLostException, () -> "only lost workers: " + error);
        }
    }

    private static long ms(final long ns)
    {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
