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
 *                          ConnectionCap (MAX_CONNECTIONS) -&gt; codec -&gt; ConnectionGuard: header, body and idle
 *                          timeouts, the budget of unfinished bodies -&gt; aggregator (MAX_BODY_BYTES, else 413)
 *                          -&gt; IngestHandler: 415 unless JSON; Jackson streaming split into payloads
 *                          -&gt; trySubmitAll(payloads): one claim of n slots on the ring (MAX_QUEUE)
 *                          &lt;- 503 + Retry-After, nothing queued | 202 (queued mode)
 *  Fulcrum balancer --&gt; worker (WORKERS, up to MAX_WORKERS): SinkTask writes each payload to its
 *                       PayloadSink.Writer, and at the end of each batch writes the file out and forces it (group
 *                       commit)
 *                          &lt;- 202 (durable mode) once the body's last payload is forced
 *  SETTINGS_FILE --&gt; SettingsWatcher (poll, SIGHUP) --&gt; PoolResizer: addWorker / removeWorker up to WORKERS
 * </pre>
 * Why these libraries. HTTP: Netty, because the whole request path then runs on one event loop thread, from the
 * socket to the ring claim and back to the 202, without a hand-off to a request thread pool; the aggregator gives
 * the body size limit (413) for free; and its epoll transport and pooled buffers keep per-request garbage to the
 * response object. JSON: Jackson's streaming {@code JsonParser} (jackson-core only, no databind): it checks every
 * token of the body but builds nothing, and each payload is kept as the client's own bytes.
 * <p>
 * Acknowledgement ({@code ACK_MODE}): {@code durable} (the default) sends 202 only once every payload of the body
 * is written and forced, so SIGKILL or a power cut loses nothing acknowledged; {@code queued} sends it once queued,
 * as Castilho did. Every record names its body and the body's payload count, and opening the sink recovers the
 * directory ({@link SinkRecovery}): torn tails cut, bodies not wholly on disk dropped.
 * <p>
 * Resizing live: Castilho read {@code MAX_WORKERS} from the environment so that it could change without a
 * redeploy, but a running process's environment never changes. Here {@code MAX_WORKERS} is the pool's capacity,
 * {@code WORKERS} its size, and a change of {@code WORKERS} in the settings file ({@code SETTINGS_FILE}) grows or
 * shrinks the pool while the server runs ({@link SettingsWatcher}, {@link PoolResizer}); a removed worker's thread
 * commits and closes its file before its removal completes ({@link SinkTask}).
 * <p>
 * Shutdown ({@link #close()}): stop accepting connections, let requests in progress finish (their responses say
 * {@code Connection: close}), close the event loops, then {@link Balancer#close()} runs every accepted payload, and
 * last the writers are committed and closed: every accepted payload reaches the sink exactly once.
 */
public final class IngestServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(IngestServer.class.getName());
    private static final long DRAIN_GRACE_MS = 1_000;

    private final IngestConfig config;
    private final PayloadSink sink;
    private final SinkTask task;
    private final Balancer<Payload, Void> balancer;
    private final PoolResizer resizer;
    private final SettingsWatcher settings;
    private final EventLoopGroup loops;
    private final ChannelGroup connections =
        new DefaultChannelGroup("ingest-connections", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final Refusals refusals = new Refusals();
    private final UnfinishedBodies unfinished;
    private final ConnectionCap cap;
    private final MetricsEndpoint metrics;
    private final String transport;
    /** Body ids: unique in the sink directory across restarts (start time and pid), then a counter. */
    private final String runId = Long.toString(System.currentTimeMillis(), 36) + "." +
        Long.toString(ProcessHandle.current().pid(), 36) + ".";
    private final AtomicLong bodies = new AtomicLong();
    /**
     * Body bytes accepted and not yet written: the event loop adds a body's size before claiming its payloads on
     * the ring, and each worker takes a payload's share off when it has written it. An atomic shared by the event
     * loop and the workers: admission control needs an exact sum, and one add per body and per payload is cheap
     * next to the HTTP work around it.
     */
    private final AtomicLong queuedBytes = new AtomicLong();

    final LongAdder requestsAccepted = new LongAdder();
    final LongAdder payloadsAccepted = new LongAdder();

    private volatile boolean draining;
    private boolean closed;

    private IngestServer(final IngestConfig config, final PayloadSink sink) throws InterruptedException
    {
        this.config = config;
        this.sink = sink;
        this.task = new SinkTask(sink, AckMode.DURABLE == config.ackMode(), config.forceMaxPayloads(),
            TimeUnit.MICROSECONDS.toNanos(config.forceMaxDelayUs()));
        this.balancer = Balancer.builder(task)
            .workers(config.workers())
            .maxWorkers(config.maxWorkers())
            .threadFactory(task.threadFactory()) // a leaving worker's thread closes its writer as it ends
            .ringSize(config.ringSize())
            .policy(config.policy())
            .maxPendingPerWorker(config.maxPending())
            .threadingMode(config.threadingMode())
            .workerIdleStrategy(() -> new BackoffIdleStrategy(100, 10, 1_000, 100_000))
            .build();
        this.resizer = new PoolResizer(balancer);
        this.settings = null == config.settingsFile() ? null : new SettingsWatcher(config, resizer);
        this.unfinished = new UnfinishedBodies(config.maxUnfinishedBytes());
        this.cap = new ConnectionCap(config.maxConnections(), config.retryAfterSeconds(), refusals);
        this.metrics = new MetricsEndpoint(this, balancer); // GET /metrics; reads the counters only when scraped
        final long tickMs = Math.max(5, Math.min(250,
            Math.min(config.headerTimeoutMs(), Math.min(config.bodyTimeoutMs(), config.idleTimeoutMs())) / 4));

        final boolean epoll = config.nativeTransport() && Epoll.isAvailable();
        this.transport = epoll ? "epoll" : "nio";
        final DefaultThreadFactory threads = new DefaultThreadFactory("ingest-io");
        loops = epoll ? new EpollEventLoopGroup(config.ioThreads(), threads) :
            new NioEventLoopGroup(config.ioThreads(), threads);
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;

        final Reply<Payload, Void> reply = new PayloadReply(queuedBytes);
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
                        if (!cap.admit(channel))
                        {
                            channel.pipeline().addLast("cap", cap);
                            return;
                        }
                        connections.add(channel);
                        final ConnectionGuard guard = new ConnectionGuard(config, tickMs, unfinished, refusals);
                        channel.pipeline()
                            .addLast("firstByte", guard.firstByteWatcher())
                            .addLast("codec", new HttpServerCodec())
                            .addLast("guard", guard)
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
        if (null != settings)
        {
            settings.start();
        }
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

        final DirectoryPayloadSink sink = new DirectoryPayloadSink(config.sinkDirectory()); // recovers the directory
        System.out.println("ingest: recovered dir=" + sink.directory().toAbsolutePath() + " " +
            sink.recovery().describe());
        final IngestServer server = start(config, sink);
        // with a settings file, SIGHUP reads it now, where the JVM allows it
        final String reload = null == config.settingsFile() ? "none" :
            Sighup.reloadOn(server::reloadSettingsSoon, config);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            // System.out, not the logger: java.util.logging resets itself in a shutdown hook of its own
            System.out.println("ingest: closed address=" + server.address() + " stats=" + server.stats().toJson());
            System.out.flush();
        }, "ingest-shutdown"));
        // the one start line, key=value, that scripts parse for the port (PORT=0 picks a free one)
        System.out.println("ingest: listening port=" + server.port() + " address=" + server.address() + " pid=" +
            ProcessHandle.current().pid() + " " + server.describe() + " settingsReload=" + reload);
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
     * @return host:port the server listens on.
     */
    public String address()
    {
        final InetSocketAddress address = (InetSocketAddress)serverChannel.localAddress();
        return address.getHostString() + ":" + address.getPort();
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
            config.ackMode().text(),
            requestsAccepted.sum(),
            payloadsAccepted.sum(),
            refusals.sum(Refusals.Answer.REFUSED),
            refusals.sum(Refusals.Answer.REJECTED),
            refusals.sum(Refusals.Answer.CONNECTION),
            refusals.toJson(),
            engine.totalCompleted() - engine.totalFailed(),
            engine.totalFailed(),
            task.payloadsCommitted(),
            task.commits(),
            task.commitFailures(),
            resizer.workers(),
            resizer.target(),
            resizer.removalsInFlight(),
            balancer.maxWorkers(),
            null == settings ? 0 : settings.applied(),
            null == settings ? 0 : settings.refused(),
            queuedBytes.get(),
            unfinished.usedBytes(),
            cap.open(),
            runtime.totalMemory() - runtime.freeMemory());
    }

    /**
     * @return null when ready to take payloads; else why not ({@code GET /readyz}).
     */
    String notReadyReason()
    {
        if (draining)
        {
            return "closing";
        }
        if (!sink.writable())
        {
            return "sink not writable";
        }
        return task.healthy() ? null : "sink failing";
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
            if (null != settings)
            {
                settings.close();
            }
            resizer.close(); // removals under way complete with the balancer's close
            serverChannel.close().syncUninterruptibly();
            for (final Channel channel : connections)
            {
                channel.eventLoop().execute(() ->
                {
                    final ConnectionGuard guard = channel.pipeline().get(ConnectionGuard.class);
                    if (null == guard || !guard.inProgress())
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

    /**
     * Read the settings file on the settings thread now, as SIGHUP does; returns at once. Nothing without a file.
     */
    void reloadSettingsSoon()
    {
        if (null != settings)
        {
            settings.wake();
        }
    }

    /**
     * @return what reads the settings file, or null without one; {@code check()} reads it on the calling thread.
     */
    SettingsWatcher settingsWatcher()
    {
        return settings;
    }

    PoolResizer resizer()
    {
        return resizer;
    }

    SinkTask task()
    {
        return task;
    }

    Refusals refusals()
    {
        return refusals;
    }

    MetricsEndpoint metrics()
    {
        return metrics;
    }

    /**
     * @return a new body id; any event loop.
     */
    String nextBodyId()
    {
        return runId + Long.toString(bodies.incrementAndGet(), 36);
    }

    /**
     * @return the settings, key=value, for the start line.
     */
    String describe()
    {
        return "ackMode=" + config.ackMode().text() + " workers=" + config.workers() + " maxWorkers=" +
            config.maxWorkers() + " ringSize=" +
            config.ringSize() + " policy=" + balancer.policyName() + " maxPending=" + config.maxPending() +
            " threading=" + config.threadingMode() + " ioThreads=" + config.ioThreads() + " transport=" + transport +
            " maxQueueBytes=" + config.maxQueueBytes() + " maxBodyBytes=" + config.maxBodyBytes() +
            " forceMaxPayloads=" + config.forceMaxPayloads() + " forceMaxDelayUs=" + config.forceMaxDelayUs() +
            " maxConnections=" + config.maxConnections() + " headerTimeoutMs=" + config.headerTimeoutMs() +
            " bodyTimeoutMs=" + config.bodyTimeoutMs() + " idleTimeoutMs=" + config.idleTimeoutMs() +
            " maxUnfinishedBytes=" + config.maxUnfinishedBytes() + " settingsFile=" +
            (null == config.settingsFile() ? "none" : config.settingsFile() + " settingsPollMs=" +
            config.settingsPollMs()) + " sink=" + sink;
    }
}
