package dev.fulcrum.aeron;

import dev.fulcrum.Task;
import dev.fulcrum.WorkerLink;
import io.aeron.driver.MediaDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * One test's driver, channels, hosts and links, all stepped by hand on the test thread as the engine would call
 * them: {@link #pump} is one duty cycle of every host and one poll of a link.
 */
final class Fixture implements AutoCloseable
{
    /**
     * Both sides' timeouts unless a test sets its own: long enough that a media driver thread starved by a busy
     * machine does not lose a link; the tests about timeouts set them, or step a clock by hand.
     */
    static final long SLOW_MACHINE_TIMEOUT_S = 10;

    final TestDriver driver;
    final String requestChannel;
    final String replyChannel;
    /** What the hosts reported to their error handler. */
    final List<Throwable> hostErrors = new ArrayList<>();
    private final List<AeronWorkerHost<?, ?>> hosts = new ArrayList<>();
    private final List<AeronWorkerLink<?, ?>> links = new ArrayList<>();

    private Fixture(final TestDriver driver, final Transport transport)
    {
        this.driver = driver;
        final String[] channels = transport.channels();
        this.requestChannel = channels[0];
        this.replyChannel = channels[1];
    }

    static Fixture open(final Transport transport)
    {
        return open(transport, context -> { });
    }

    static Fixture open(final Transport transport, final Consumer<MediaDriver.Context> customise)
    {
        return new Fixture(TestDriver.launch(customise), transport);
    }

    /** The tests' task: a new array, each byte one more than the request's. */
    static byte[] plusOne(final byte[] request)
    {
        final byte[] result = new byte[request.length];
        for (int i = 0; i < request.length; i++)
        {
            result[i] = (byte)(request[i] + 1);
        }
        return result;
    }

    AeronWorkerHost<byte[], byte[]> host(final Task<byte[], byte[]> task)
    {
        return host(task, builder -> { });
    }

    AeronWorkerHost<byte[], byte[]> host(
        final Task<byte[], byte[]> task, final Consumer<AeronWorkerHostBuilder<byte[], byte[]>> customise)
    {
        final AeronWorkerHostBuilder<byte[], byte[]> builder = AeronWorkerHost
            .builder(task, ByteArrayCodec.reusing(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(requestChannel)
            .replyChannel(replyChannel)
            .balancerTimeout(SLOW_MACHINE_TIMEOUT_S, TimeUnit.SECONDS)
            .errorHandler(hostErrors::add);
        customise.accept(builder);
        final AeronWorkerHost<byte[], byte[]> host = builder.build();
        host.onStart();
        hosts.add(host);
        return host;
    }

    AeronWorkerLink<byte[], byte[]> link()
    {
        return link(builder -> { });
    }

    AeronWorkerLink<byte[], byte[]> link(final Consumer<AeronWorkerLinkBuilder<byte[], byte[]>> customise)
    {
        final AeronWorkerLinkBuilder<byte[], byte[]> builder = AeronWorkerLink
            .builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel(requestChannel)
            .replyChannel(replyChannel)
            .heartbeatTimeout(SLOW_MACHINE_TIMEOUT_S, TimeUnit.SECONDS);
        customise.accept(builder);
        final AeronWorkerLink<byte[], byte[]> link = builder.build();
        link.onStart();
        links.add(link);
        return link;
    }

    /** One duty cycle of every open host, then one poll of {@code link}. */
    <R> void pump(final AeronWorkerLink<?, R> link, final WorkerLink.Replies<? super R> replies)
    {
        for (final AeronWorkerHost<?, ?> host : hosts)
        {
            host.doWork();
        }
        link.poll(replies);
    }

    <R> void connect(final AeronWorkerLink<?, R> link, final WorkerLink.Replies<? super R> replies)
    {
        Await.until(() ->
        {
            pump(link, replies);
            return link.isConnected();
        }, () -> "link connected: " + link);
    }

    /**
     * Send {@code count} requests (ids 0 to count - 1) as fast as the link takes them, retrying FULL and
     * NOT_CONNECTED, pumping all along, until every one is answered.
     */
    void runAll(
        final AeronWorkerLink<byte[], byte[]> link,
        final RecordingReplies<byte[]> replies,
        final int count,
        final IntFunction<byte[]> request)
    {
        final int[] next = { 0 };
        Await.until(() ->
        {
            while (next[0] < count && link.isAlive(System.nanoTime()))
            {
                if (WorkerLink.SENT != link.send(next[0], request.apply(next[0])))
                {
                    break;
                }
                next[0]++;
            }
            pump(link, replies);
            if (!link.isAlive(System.nanoTime()))
            {
                throw new AssertionError("link lost: " + link.lossReason() + " after " + next[0] + " sent, " +
                    replies.answered() + " answered");
            }
            return replies.answered() >= count;
        }, () -> next[0] + " sent, " + replies.answered() + " of " + count + " answered");
    }

    /** Close one host as its runner would. */
    void closeHost(final AeronWorkerHost<?, ?> host)
    {
        if (hosts.remove(host))
        {
            host.onClose();
        }
    }

    @Override
    public void close()
    {
        for (final AeronWorkerLink<?, ?> link : links)
        {
            link.close();
        }
        for (final AeronWorkerHost<?, ?> host : hosts)
        {
            host.onClose();
        }
        driver.close();
    }
}
