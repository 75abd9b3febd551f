package dev.fulcrum.aeron;

import dev.fulcrum.Task;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link AeronWorkerHost#main(String[])}: options, then a host on its own thread until SIGINT or SIGTERM.
 */
final class HostCommandLine
{
    static final String READY = "fulcrum-aeron host ready";

    private static final String USAGE = String.join(System.lineSeparator(),
        "usage: java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp <class path> \\",
        "         dev.fulcrum.aeron.AeronWorkerHost [--option=value ...]",
        "  --request-channel=CH     where to listen for requests (default aeron:udp?endpoint=localhost:40123)",
        "  --request-stream=ID      request stream id (default 1001)",
        "  --reply-channel=CH       where the balancer listens for replies (default aeron:udp?endpoint=localhost:40124)",
        "  --reply-stream=ID        reply stream id (default 1002)",
        "  --heartbeat-ms=N         heartbeat interval (default 50)",
        "  --balancer-timeout-ms=N  stop serving a balancer silent this long (default 500)",
        "  --task=echo|CLASS        the built-in echo task, or a class implementing Task<byte[], byte[]> with a",
        "                           public no-argument constructor (default echo)",
        "  --reuse-request-arrays=B decode requests into one reused array (true only if the task never keeps its",
        "                           request past its return; default false)",
        "  --aeron-dir=DIR          the media driver's directory (default Aeron's)",
        "  --embedded-driver=B      start a media driver in this process, on --aeron-dir (default false)");

    private HostCommandLine()
    {
    }

    static void run(final String[] args)
    {
        final Map<String, String> options;
        final AeronWorkerHostBuilder<byte[], byte[]> builder;
        final String aeronDir;
        final boolean embedded;
        try
        {
            options = parse(args);
            if (options.containsKey("help"))
            {
                System.out.println(USAGE);
                return;
            }
            aeronDir = options.get("aeron-dir");
            embedded = flag(options, "embedded-driver");
            final ByteArrayCodec requestCodec = flag(options, "reuse-request-arrays") ?
                ByteArrayCodec.reusing() : ByteArrayCodec.allocating();
            builder = AeronWorkerHost
                .builder(task(options.getOrDefault("task", "echo")), requestCodec, ByteArrayCodec.allocating())
                .requestChannel(Settings.channel("request-channel",
                    options.getOrDefault("request-channel", "aeron:udp?endpoint=localhost:40123")))
                .requestStreamId(integer(options, "request-stream", 1001))
                .replyChannel(Settings.channel("reply-channel",
                    options.getOrDefault("reply-channel", "aeron:udp?endpoint=localhost:40124")))
                .replyStreamId(integer(options, "reply-stream", 1002))
                .heartbeatInterval(Settings.positive("heartbeat-ms", integer(options, "heartbeat-ms", 50)),
                    TimeUnit.MILLISECONDS)
                .balancerTimeout(Settings.positive("balancer-timeout-ms", integer(options, "balancer-timeout-ms", 500)),
                    TimeUnit.MILLISECONDS);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        MediaDriver driver = null;
        AgentRunner runner = null;
        // the barrier is closed last: Agrona's signal handler waits for that before it lets the JVM exit
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            if (embedded)
            {
                final MediaDriver.Context context = new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy())
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true);
                if (null != aeronDir)
                {
                    context.aeronDirectoryName(aeronDir);
                }
                driver = MediaDriver.launch(context);
            }
            final AeronWorkerHost<byte[], byte[]> host = builder
                .aeronDirectoryName(null != driver ? driver.aeronDirectoryName() : aeronDir)
                .build();
            runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, host);
            AgentRunner.startOnThread(runner);
            while (!host.isReady() && !runner.isClosed())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // waiting for Aeron, not synchronising
            }
            System.out.println(READY + ": request=" + builder.requestChannel + " stream " + builder.requestStreamId +
                ", reply=" + builder.replyChannel + " stream " + builder.replyStreamId + ", task=" + builder.task);
            System.out.flush();
            barrier.await();
            CloseHelper.quietCloseAll(runner, driver);
            runner = null;
            driver = null;
        }
        finally
        {
            CloseHelper.quietCloseAll(runner, driver);
        }
    }

    static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                options.put("help", "true");
                continue;
            }
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 3)
            {
                throw new IllegalArgumentException("options look like --name=value: arg=" + arg);
            }
            final String name = arg.substring(2, eq);
            if (!USAGE.contains("--" + name + "="))
            {
                throw new IllegalArgumentException("unknown option: " + name + "=" + arg.substring(eq + 1));
            }
            options.put(name, arg.substring(eq + 1));
        }
        return options;
    }

    static Task<byte[], byte[]> task(final String name)
    {
        if ("echo".equals(name))
        {
            return new EchoTask();
        }
        try
        {
            final Class<?> type = Class.forName(name);
            if (!Task.class.isAssignableFrom(type))
            {
                throw new IllegalArgumentException("the task class does not implement dev.fulcrum.Task: task=" + name);
            }
            @SuppressWarnings("unchecked")
            final Task<byte[], byte[]> task = (Task<byte[], byte[]>)type.getConstructor().newInstance();
            return task;
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("cannot make the task (" + ex + "): task=" + name, ex);
        }
    }

    private static boolean flag(final Map<String, String> options, final String name)
    {
        final String value = options.getOrDefault(name, "false");
        if (!"true".equals(value) && !"false".equals(value))
        {
            throw new IllegalArgumentException(name + " must be true or false: " + name + "=" + value);
        }
        return Boolean.parseBoolean(value);
    }

    private static int integer(final Map<String, String> options, final String name, final int defaultValue)
    {
        final String value = options.get(name);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be an integer: " + name + "=" + value, ex);
        }
    }

    /** The built-in task: the request is the result. */
    static final class EchoTask implements Task<byte[], byte[]>
    {
        @Override
        public byte[] execute(final byte[] request)
        {
            return request;
        }

        @Override
        public String toString()
        {
            return "echo";
        }
    }
}
