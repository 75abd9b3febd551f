package dev.fulcrum.examples.ingest;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Reply;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Castilho's ingest server ("Handling 1 million requests per minute with Go") on Fulcrum: {@code POST /v1/payloads}
 * takes {@code {"payloads": [...]}}, and each payload becomes one job on a {@link Balancer} whose workers write it to
 * a {@link PayloadSink}.
 * <pre>
 *  clients --HTTP/1.1--&gt; Netty event loop (IO_THREADS)
 *                          codec -&gt; aggregator (MAX_BODY_BYTES, else 413)
 *                          -&gt; IngestHandler: Jackson streaming split into payloads
 *                          -&gt; trySubmitAll(payloads): one claim of n slots on the ring (MAX_QUEUE)
 *                          &lt;- 202 all queued | 503 + Retry-After, nothing queued
 *  Fulcrum balancer --&gt; worker (MAX_WORKERS): SinkTask --&gt; its PayloadSink.Writer (flushed every FLUSH_DELAY_US)
 * </pre>
 * Why these libraries. HTTP: Netty, because the whole request path then runs on one event loop thread, from the
 * socket to the ring claim and back to the 202, without a hand-off to a request thread pool; the aggregator gives
 * the body size limit (413) for free; and its epoll transport and pooled buffers keep per-request garbage to the
 * response object. (Undertow would serve as well; it is built on XNIO, with a worker pool we would not use.) JSON:
 * Jackson's streaming {@code JsonParser} (jackson-core only, no databind): it checks every token of the body but
 * builds nothing, and each payload is kept as the client's own bytes, so the worker writes without re-encoding.
 * DSL-JSON is a little faster at binding to classes, which this server never does.
 * <p>
 * Backpressure: a body is claimed on the ring whole ({@link Balancer#trySubmitAll}), so it is either all queued
 * (202) or not at all (503 with {@code Retry-After}); nothing waits unboundedly. A body with more payloads than the
 * ring holds can never be queued and gets 413. Bodies queued are also bounded in bytes ({@code MAX_QUEUE_BYTES}),
 * since a ring of small slots can hold references to large bodies.
 * <p>
 * Shutdown ({@link #close()}): stop accepting connections, let requests in progress finish (their responses say
 * {@code Connection: close}), close the event loops, then {@link Balancer#close()} runs every accepted payload, and
 * last the writers are flushed and closed: every accepted payload reaches the sink exactly once.
 */
public final class IngestServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(IngestServer.class.getName());
    private static final long DRAIN_GRACE_MS = 1_000;

    private final IngestConfig config;
    private final PayloadSink sink;
    private final SinkTask task;
    private final Balancer<Payload, Void> balancer;
    private final EventLoopGroup loops;
    private final ChannelGroup connections =
        new DefaultChannelGroup("ingest-connections", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    /**
     * Body bytes accepted and not yet written: the event loop adds a body's size before claiming its payloads on
     * the ring, and each worker takes a payload's share off when it has written it. An atomic shared by the event
     * loop and the workers: admission control needs an exact sum, and one add per body and per payload is cheap
     * next to the HTTP work around it.
     */
    private final AtomicLong queuedBytes = new AtomicLong();

    final LongAdder requestsAccepted = new LongAdder();
    final LongAdder payloadsAccepted = new LongAdder();
    final LongAdder requestsRefused = new LongAdder();
    final LongAdder requestsRejected = new LongAdder();

    private volatile boolean draining;
    private boolean closed;

    private IngestServer(final IngestConfig config, final PayloadSink sink) throws InterruptedException
    {
        this.config = config;
        this.sink = sink;
        this.task = new SinkTask(sink, TimeUnit.MICROSECONDS.toNanos(config.flushDelayUs()));
        this.balancer = Balancer.builder(task)
            .workers(config.maxWorkers())
            .ringSize(config.ringSize())
            .policy(config.policy())
            .maxPendingPerWorker(config.maxPending())
            .threadingMode(config.threadingMode())
            .workerIdleStrategy(task.flushingIdleStrategy(() -> new BackoffIdleStrategy(100, 10, 1_000, 100_000)))
            .build();

        final boolean epoll = config.nativeTransport() && Epoll.isAvailable();
        final DefaultThreadFactory threads = new DefaultThreadFactory("ingest-io");
        loops = epoll ? new EpollEventLoopGroup(config.ioThreads(), threads) :
            new NioEventLoopGroup(config.ioThreads(), threads);
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;

        final Reply<Payload, Void> reply = new ReleasingReply(queuedBytes);
        final PayloadParser parser = new PayloadParser(config.ringSize());
        try
        {
            serverChannel = new ServerBootstrap()
                .group(loops)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        connections.add(channel);
                        channel.pipeline()
                            .addLast("codec", new HttpServerCodec())
                            .addLast("tracker", new RequestTracker())
                            .addLast("aggregator", new HttpObjectAggregator(config.maxBodyBytes()))
                            .addLast("ingest", new IngestHandler(IngestServer.this, parser, reply));
                    }
                })
                .bind(config.bindAddress(), config.port())
                .sync()
                .channel();
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            balancer.close();
            throw ex;
        }
        LOG.log(System.Logger.Level.INFO, "ingest: listening on " + serverChannel.localAddress() +
            " transport=" + (epoll ? "epoll" : "nio") + ", " + describe());
    }

    /**
     * Start a server: the balancer's threads, then the HTTP listener.
     *
     * @param config settings.
     * @param sink   where payloads go; closed by {@link #close()}.
     * @return the running server.
     * @throws InterruptedException when interrupted while binding.
     */
    public static IngestServer start(final IngestConfig config, final PayloadSink sink) throws InterruptedException
    {
        return new IngestServer(config, sink);
    }

    /**
     * Run the server until SIGTERM or SIGINT, then shut down gracefully. Settings come from the environment and
     * options: see {@link IngestConfig#USAGE}.
     *
     * @param args {@code [--port N] [--dir PATH]}.
     * @throws Exception when the server cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && ("--help".equals(args[0]) || "-h".equals(args[0])))
        {
            System.out.println(IngestConfig.USAGE);
            return;
        }
        final IngestConfig config;
        try
        {
            config = IngestConfig.from(System.getenv(), args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ingest: " + ex.getMessage());
            System.err.println(IngestConfig.USAGE);
            System.exit(2);
            return;
        }

        final DirectoryPayloadSink sink = new DirectoryPayloadSink(config.sinkDirectory());
        final IngestServer server = start(config, sink);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            // System.out, not the logger: java.util.logging resets itself in a shutdown hook of its own
            System.out.println("ingest: closed " + server.stats().toJson());
            System.out.flush();
        }, "ingest-shutdown"));
        // one line a script can parse for the port (PORT=0 picks a free one)
        System.out.println("ingest: listening port=" + server.port() + " pid=" + ProcessHandle.current().pid() +
            " sinkDir=" + sink.directory().toAbsolutePath() + " " + server.describe());
        System.out.flush();
        server.awaitClosed();
    }

    /**
     * @return the port the server listens on (the one picked when configured with 0).
     */
    public int port()
    {
        return ((InetSocketAddress)serverChannel.localAddress()).getPort();
    }

    /**
     * @return the server's settings.
     */
    public IngestConfig config()
    {
        return config;
    }

    /**
     * @return a snapshot of the counters; allocates.
     */
    public IngestStats stats()
    {
        final BalancerStats engine = balancer.stats();
        final Runtime runtime = Runtime.getRuntime();
        return new IngestStats(
            requestsAccepted.sum(),
            payloadsAccepted.sum(),
            requestsRefused.sum(),
            requestsRejected.sum(),
            engine.totalCompleted() - engine.totalFailed(),
            engine.totalFailed(),
            task.flushFailures(),
            queuedBytes.get(),
            runtime.totalMemory() - runtime.freeMemory());
    }

    /**
     * Graceful and idempotent: stop accepting connections, let requests in progress finish (up to a second),
     * close the event loops, run every accepted payload ({@link Balancer#close()}), flush and close the writers,
     * and close the sink. Returns when all that is done; every payload answered 202 is then in the sink once.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        draining = true;
        try
        {
            serverChannel.close().syncUninterruptibly();
            for (final Channel channel : connections)
            {
                channel.eventLoop().execute(() ->
                {
                    final RequestTracker tracker = channel.pipeline().get(RequestTracker.class);
                    if (null == tracker || !tracker.inProgress())
                    {
                        channel.close();
                    }
                });
            }
            connections.newCloseFuture().awaitUninterruptibly(DRAIN_GRACE_MS);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();

            balancer.close(); // no event loop is left to submit: this runs every accepted payload

            try
            {
                task.closeWriters();
            }
            finally
            {
                sink.close();
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "ingest: closing the sink failed", ex);
        }
        finally
        {
            closedLatch.countDown();
        }
    }

    /**
     * Wait until {@link #close()} has finished.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    public void awaitClosed() throws InterruptedException
    {
        closedLatch.await();
    }

    /**
     * Reserve room for a body in the byte budget, before claiming its payloads on the ring.
     *
     * @param bytes the body's size.
     * @return true when reserved; false when the budget has no room (then nothing is reserved).
     */
    boolean tryReserve(final long bytes)
    {
        final long after = queuedBytes.addAndGet(bytes);
        if (after > config.maxQueueBytes())
        {
            queuedBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /**
     * Give back a reservation whose body was not queued after all.
     *
     * @param bytes as reserved.
     */
    void unreserve(final long bytes)
    {
        queuedBytes.addAndGet(-bytes);
    }

    /**
     * @return true once {@link #close()} has begun: new requests are answered with {@code Connection: close}.
     */
    boolean draining()
    {
        return draining;
    }

    Balancer<Payload, Void> balancer()
    {
        return balancer;
    }

    private String describe()
    {
        return "workers=" + config.maxWorkers() + " ringSize=" + config.ringSize() + " policy=" +
            balancer.policyName() + " threading=" + config.threadingMode() + " ioThreads=" + config.ioThreads() +
            " maxQueueBytes=" + config.maxQueueBytes() + " maxBodyBytes=" + config.maxBodyBytes() +
            " flushDelayUs=" + config.flushDelayUs() + " sink=" + sink;
    }

    /**
     * Every payload's outcome: its share of the byte budget is given back; a write is counted by the balancer's own
     * per-worker counters, so a result needs nothing more; a failed write is logged, sparsely when the sink keeps
     * failing.
     */
    private static final class ReleasingReply implements Reply<Payload, Void>
    {
        private final AtomicLong queuedBytes;
        private final AtomicLong errors = new AtomicLong();

        ReleasingReply(final AtomicLong queuedBytes)
        {
            this.queuedBytes = queuedBytes;
        }

        @Override
        public void onResult(final Payload payload, final Void result)
        {
            queuedBytes.addAndGet(-payload.chargeBytes);
        }

        @Override
        public void onError(final Payload payload, final Throwable error)
        {
            queuedBytes.addAndGet(-payload.chargeBytes);
            final long n = errors.incrementAndGet();
            if (Long.bitCount(n) == 1)
            {
                LOG.log(System.Logger.Level.ERROR,
                    "ingest: a payload could not be written: payloadsFailed=" + n, error);
            }
        }
    }
}
