package dev.fulcrum.examples.ingest;

import dev.fulcrum.Policy;
import dev.fulcrum.ThreadingMode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ingest server's settings, from the environment as in Castilho's server ({@code MAX_WORKERS},
 * {@code MAX_QUEUE}), then from the settings file that {@code SETTINGS_FILE} names, if any ({@link SettingsFile}:
 * the same names, {@code key=value}), then from the {@code --port} and {@code --dir} options: each source takes
 * precedence over the one before. Every value is checked here, and a bad one is refused with a message naming the
 * setting and its value.
 * <p>
 * While the server runs, {@link SettingsWatcher} reads the file again when it changes: {@code WORKERS}
 * ({@link #LIVE_KEYS}) is applied live, between 1 and {@code MAX_WORKERS}; every other setting needs a restart.
 *
 * @param port              TCP port on loopback or all interfaces; 0 picks a free port (tests).
 * @param bindAddress       address to listen on.
 * @param maxWorkers        the capacity of the worker pool ({@code MAX_WORKERS}): the most workers it may grow to
 *                          while running; everything sized per worker is allocated for this many at start.
 * @param workers           worker threads at start ({@code WORKERS}, 1 to {@code MAX_WORKERS}, default
 *                          {@code MAX_WORKERS}); the one setting a change of the settings file applies live.
 * @param ringSize          the balancer's ring: {@code MAX_QUEUE} rounded up to a power of 2.
 * @param maxQueueBytes     bytes of request bodies queued at most ({@code MAX_QUEUE_BYTES}); a body that would go
 *                          over is answered 503 like one the ring cannot take. Without it the queue's memory would
 *                          be bounded only by {@code MAX_QUEUE x MAX_BODY_BYTES}.
 * @param maxBodyBytes      larger bodies are answered 413 ({@code MAX_BODY_BYTES}; Castilho's limit was 1 MiB).
 * @param ioThreads         Netty event loop threads ({@code IO_THREADS}).
 * @param policyName        the balancer's {@link Policy} ({@code POLICY}). Castilho's dispatcher is
 *                          {@code joinIdleQueue}; the default is {@code leastLoaded} because it drains a backlog
 *                          16 times faster on the current core (see ingest-README.md).
 * @param maxPending        requests one worker holds at most ({@code MAX_PENDING}; join-idle-queue uses 1); default
 *                          16 queued, 256 durable, where it also bounds what one force covers.
 * @param threadingMode     {@link ThreadingMode} of the balancer ({@code THREADING}).
 * @param sinkDirectory     where the default sink writes ({@code SINK_DIR}).
 * @param retryAfterSeconds the {@code Retry-After} of a 503 ({@code RETRY_AFTER_SECONDS}).
 * @param nativeTransport   use Netty's epoll transport where available ({@code TRANSPORT=epoll|nio}).
 * @param ackMode           when a body is answered 202 ({@code ACK_MODE}): once queued, or once on disk.
 * @param forceMaxPayloads  a worker writes out and forces its file after at most this many payloads, even in the
 *                          middle of a batch ({@code FORCE_MAX_PAYLOADS}).
 * @param forceMaxDelayUs   ... or once the oldest payload not yet forced is this old ({@code FORCE_MAX_DELAY_US}).
 * @param maxConnections    connections held at most; one more is answered 503 and closed ({@code MAX_CONNECTIONS}).
 * @param headerTimeoutMs   from a request's first byte to the end of its headers, at most
 *                          ({@code HEADER_TIMEOUT_MS}); else the connection is closed.
 * @param bodyTimeoutMs     from the end of the headers to the end of the body, at most ({@code BODY_TIMEOUT_MS}).
 * @param idleTimeoutMs     a keep-alive connection waiting for its next request is closed after this long
 *                          ({@code IDLE_TIMEOUT_MS}).
 * @param maxUnfinishedBytes bytes of bodies still arriving, all connections together ({@code MAX_UNFINISHED_BYTES});
 *                          past it the oldest unfinished body is refused (503, connection closed).
 * @param settingsFile      the settings file ({@code SETTINGS_FILE}, environment only), or null for none.
 * @param settingsPollMs    how often the settings file is read for a change ({@code SETTINGS_POLL_MS}).
 * @param sources           where the values came from: what a new content of the settings file is laid over.
 */
public record IngestConfig(
    int port,
    String bindAddress,
    int maxWorkers,
    int ringSize,
    long maxQueueBytes,
    int maxBodyBytes,
    int ioThreads,
    String policyName,
    int maxPending,
    ThreadingMode threadingMode,
    Path sinkDirectory,
    int retryAfterSeconds,
    boolean nativeTransport,
    AckMode ackMode,
    int forceMaxPayloads,
    int forceMaxDelayUs,
    int maxConnections,
    int headerTimeoutMs,
    int bodyTimeoutMs,
    int idleTimeoutMs,
    long maxUnfinishedBytes,
    int workers,
    Path settingsFile,
    int settingsPollMs,
    Sources sources)
{
    /** Largest ring accepted: the ring preallocates a slot object per entry. */
    public static final int MAX_RING_SIZE = 1 << 22;

    /** Names the settings file; read from the environment only. */
    public static final String SETTINGS_FILE = "SETTINGS_FILE";

    /** Every setting a settings file may hold. */
    public static final List<String> KEYS = List.of("PORT", "BIND_ADDRESS", "MAX_WORKERS", "WORKERS", "MAX_QUEUE",
        "MAX_QUEUE_BYTES", "MAX_BODY_BYTES", "IO_THREADS", "POLICY", "MAX_PENDING", "THREADING", "SINK_DIR",
        "RETRY_AFTER_SECONDS", "TRANSPORT", "ACK_MODE", "FORCE_MAX_PAYLOADS", "FORCE_MAX_DELAY_US", "MAX_CONNECTIONS",
        "HEADER_TIMEOUT_MS", "BODY_TIMEOUT_MS", "IDLE_TIMEOUT_MS", "MAX_UNFINISHED_BYTES", "SETTINGS_POLL_MS");

    /** The settings that a change of the settings file applies to a running server; the others need a restart. */
    public static final List<String> LIVE_KEYS = List.of("WORKERS");

    /** Usage text, for {@code --help} and for a refused setting. */
    public static final String USAGE = String.join("\n",
        "usage: IngestServer [--port N] [--dir PATH]",
        "environment, or the settings file (defaults in brackets):",
        "  PORT                 TCP port, 0 = any free port [8080]",
        "  BIND_ADDRESS         listen address [0.0.0.0]",
        "  MAX_WORKERS          the pool's capacity: most worker threads it may grow to while running [2]",
        "  WORKERS              worker threads, 1..MAX_WORKERS; live from the settings file [MAX_WORKERS]",
        "  MAX_QUEUE            payloads queued at most, rounded up to a power of 2 [4096]",
        "  MAX_QUEUE_BYTES      body bytes queued at most, else 503 [a quarter of the max heap]",
        "  MAX_BODY_BYTES       largest request body, else 413 [1048576]",
        "  IO_THREADS           HTTP event loop threads [1]",
        "  POLICY               leastLoaded | joinIdleQueue | roundRobin | powerOfTwoChoices [leastLoaded]",
        "  MAX_PENDING          payloads one worker holds at most (not joinIdleQueue: always 1) [16 queued, 256 durable]",
        "  THREADING            SHARED | DEDICATED: balancer on worker 0's thread or its own [SHARED]",
        "  SINK_DIR             directory of the payload files [./ingest-data]",
        "  RETRY_AFTER_SECONDS  Retry-After of a 503 [1]",
        "  TRANSPORT            epoll | nio [epoll where available]",
        "  ACK_MODE             durable: 202 once every payload is forced to disk; queued: once queued [durable]",
        "  FORCE_MAX_PAYLOADS   a worker forces its file after at most this many payloads [4096]",
        "  FORCE_MAX_DELAY_US   ... or once its oldest payload not forced is this old [2000]",
        "  MAX_CONNECTIONS      connections held at most, else 503 and close [4096]",
        "  HEADER_TIMEOUT_MS    first byte to end of headers, else close [5000]",
        "  BODY_TIMEOUT_MS      end of headers to end of body, else close [15000]",
        "  IDLE_TIMEOUT_MS      keep-alive connection with no request, closed after [60000]",
        "  MAX_UNFINISHED_BYTES bytes of bodies still arriving, all connections [max(4 x MAX_BODY_BYTES, heap/8)]",
        "  SETTINGS_POLL_MS     how often the settings file is read for a change [1000]",
        "  SETTINGS_FILE        (environment only) a file of KEY=value lines, the names above, laid over the",
        "                       environment [none]. Read again when its content changes (every SETTINGS_POLL_MS,",
        "                       and at once on SIGHUP where the JVM allows it): WORKERS is applied live, the pool",
        "                       grows or shrinks to it; any other change is logged as needing a restart and",
        "                       ignored; a bad file is logged and refused, the current settings stay.",
        "options --port and --dir take precedence over PORT and SINK_DIR from either source.");

    /**
     * Where a configuration's values came from, each taking precedence over the one before.
     *
     * @param environment the environment's settings (only the names of {@link #KEYS} and {@link #SETTINGS_FILE}).
     * @param file        the settings file's, as parsed at start; empty without one.
     * @param options     {@code PORT} and {@code SINK_DIR} as the {@code --port} and {@code --dir} options gave
     *                    them.
     */
    public record Sources(Map<String, String> environment, Map<String, String> file, Map<String, String> options)
    {
        /**
         * @param environment as above; copied.
         * @param file        as above; copied.
         * @param options     as above; copied.
         */
        public Sources
        {
            environment = Map.copyOf(environment);
            file = Map.copyOf(file);
            options = Map.copyOf(options);
        }

        /**
         * @param newFile a new content of the settings file.
         * @return the same environment and options under {@code newFile}.
         */
        Sources withFile(final Map<String, String> newFile)
        {
            return new Sources(environment, newFile, options);
        }

        Map<String, String> merged()
        {
            final Map<String, String> merged = new HashMap<>(environment);
            merged.putAll(file);
            merged.putAll(options);
            return merged;
        }
    }

    /**
     * @param env  the environment ({@code System.getenv()}, or a map in tests).
     * @param args command-line options.
     * @return the settings.
     * @throws IllegalArgumentException naming the setting and its value when one is malformed or out of range, or
     *                                  naming {@code SETTINGS_FILE} when its file cannot be read or parsed.
     */
    public static IngestConfig from(final Map<String, String> env, final String... args)
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--port".equals(arg) && i + 1 < args.length)
            {
                options.put("PORT", args[++i]);
            }
            else if (arg.startsWith("--port="))
            {
                options.put("PORT", arg.substring("--port=".length()));
            }
            else if ("--dir".equals(arg) && i + 1 < args.length)
            {
                options.put("SINK_DIR", args[++i]);
            }
            else if (arg.startsWith("--dir="))
            {
                options.put("SINK_DIR", arg.substring("--dir=".length()));
            }
            else
            {
                throw new IllegalArgumentException("unknown option: arg=" + arg);
            }
        }
        final Map<String, String> environment = new HashMap<>();
        for (final String key : KEYS)
        {
            final String value = env.get(key);
            if (null != value)
            {
                environment.put(key, value);
            }
        }
        Map<String, String> file = Map.of();
        final String fileText = env.get(SETTINGS_FILE);
        if (null != fileText)
        {
            if (fileText.isBlank())
            {
                throw new IllegalArgumentException(
                    SETTINGS_FILE + " must not be blank: " + SETTINGS_FILE + "=" + fileText);
            }
            environment.put(SETTINGS_FILE, fileText);
            try
            {
                file = SettingsFile.parse(SettingsFile.read(Path.of(fileText)));
            }
            catch (final IOException ex)
            {
                throw new IllegalArgumentException("the settings file cannot be read (" + ex + "): " +
                    SETTINGS_FILE + "=" + fileText, ex);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(ex.getMessage() + " (in " + SETTINGS_FILE + "=" + fileText + ")",
                    ex);
            }
        }
        return build(new Sources(environment, file, options));
    }

    /**
     * The settings this server would have if it started now with {@code file} as its settings file's content.
     *
     * @param file a new content of the settings file, parsed.
     * @return the settings.
     * @throws IllegalArgumentException naming the setting and its value when one is malformed or out of range.
     */
    IngestConfig withFile(final Map<String, String> file)
    {
        return build(sources.withFile(file));
    }

    /**
     * @param other settings of the same server.
     * @return true when the two differ in nothing but what can change live ({@link #LIVE_KEYS}).
     */
    boolean sameAtRestart(final IngestConfig other)
    {
        return restartPart().equals(other.restartPart());
    }

    private IngestConfig restartPart()
    {
        return new IngestConfig(port, bindAddress, maxWorkers, ringSize, maxQueueBytes, maxBodyBytes, ioThreads,
            policyName, maxPending, threadingMode, sinkDirectory, retryAfterSeconds, nativeTransport, ackMode,
            forceMaxPayloads, forceMaxDelayUs, maxConnections, headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs,
            maxUnfinishedBytes, 0, settingsFile, settingsPollMs, null);
    }

    private static IngestConfig build(final Sources sources)
    {
        final Map<String, String> env = sources.merged();
        final String portText = env.getOrDefault("PORT", "8080");
        final String dirText = env.getOrDefault("SINK_DIR", "ingest-data");
        final int port = intIn("PORT", portText, 0, 65535);
        final int maxWorkers = intIn("MAX_WORKERS", env.getOrDefault("MAX_WORKERS", "2"), 1, 1024);
        final int workers =
            intIn("WORKERS", env.getOrDefault("WORKERS", Integer.toString(maxWorkers)), 1, maxWorkers);
        final int ringSize = ringSize(env.getOrDefault("MAX_QUEUE", "4096"));
        final int maxBodyBytes = intIn("MAX_BODY_BYTES", env.getOrDefault("MAX_BODY_BYTES", "1048576"),
            64, Integer.MAX_VALUE);
        final String queueBytesText = env.get("MAX_QUEUE_BYTES");
        final long maxQueueBytes = null == queueBytesText ?
            Math.max(maxBodyBytes, Runtime.getRuntime().maxMemory() / 4) :
            longIn("MAX_QUEUE_BYTES", queueBytesText, maxBodyBytes, Long.MAX_VALUE);
        final int ioThreads = intIn("IO_THREADS", env.getOrDefault("IO_THREADS", "1"), 1, 256);
        final String policyName = env.getOrDefault("POLICY", "leastLoaded");
        policy(policyName); // checked now
        final AckMode ackMode = AckMode.parse(env.getOrDefault("ACK_MODE", AckMode.DURABLE.text()));
        // a worker's batch, and so what one force of its file covers, is at most what it holds: durable wants more
        final int maxPending = intIn("MAX_PENDING",
            env.getOrDefault("MAX_PENDING", AckMode.DURABLE == ackMode ? "256" : "16"), 1, 1 << 20);
        final String threadingText = env.getOrDefault("THREADING", "SHARED").toUpperCase(Locale.ROOT);
        final ThreadingMode threadingMode;
        if ("SHARED".equals(threadingText) || "DEDICATED".equals(threadingText))
        {
            threadingMode = ThreadingMode.valueOf(threadingText);
        }
        else
        {
            throw new IllegalArgumentException(
                "THREADING must be SHARED or DEDICATED: THREADING=" + env.get("THREADING"));
        }
        final int retryAfter = intIn("RETRY_AFTER_SECONDS", env.getOrDefault("RETRY_AFTER_SECONDS", "1"), 0, 3600);
        final String transport = env.getOrDefault("TRANSPORT", "epoll");
        if (!"epoll".equals(transport) && !"nio".equals(transport))
        {
            throw new IllegalArgumentException("TRANSPORT must be epoll or nio: TRANSPORT=" + transport);
        }
        final int forceMaxPayloads =
            intIn("FORCE_MAX_PAYLOADS", env.getOrDefault("FORCE_MAX_PAYLOADS", "4096"), 1, 1 << 20);
        final int forceMaxDelayUs =
            intIn("FORCE_MAX_DELAY_US", env.getOrDefault("FORCE_MAX_DELAY_US", "2000"), 0, 10_000_000);
        final int maxConnections = intIn("MAX_CONNECTIONS", env.getOrDefault("MAX_CONNECTIONS", "4096"), 1, 1 << 20);
        final int headerTimeoutMs =
            intIn("HEADER_TIMEOUT_MS", env.getOrDefault("HEADER_TIMEOUT_MS", "5000"), 10, 3_600_000);
        final int bodyTimeoutMs = intIn("BODY_TIMEOUT_MS", env.getOrDefault("BODY_TIMEOUT_MS", "15000"), 10, 3_600_000);
        final int idleTimeoutMs = intIn("IDLE_TIMEOUT_MS", env.getOrDefault("IDLE_TIMEOUT_MS", "60000"), 10, 3_600_000);
        final String unfinishedText = env.get("MAX_UNFINISHED_BYTES");
        final long maxUnfinishedBytes = null == unfinishedText ?
            Math.max(4L * maxBodyBytes, Runtime.getRuntime().maxMemory() / 8) :
            longIn("MAX_UNFINISHED_BYTES", unfinishedText, maxBodyBytes, Long.MAX_VALUE);
        if (dirText.isBlank())
        {
            throw new IllegalArgumentException("SINK_DIR must not be blank: SINK_DIR=" + dirText);
        }
        final int settingsPollMs =
            intIn("SETTINGS_POLL_MS", env.getOrDefault("SETTINGS_POLL_MS", "1000"), 10, 3_600_000);
        final String settingsFile = env.get(SETTINGS_FILE);

        return new IngestConfig(port, env.getOrDefault("BIND_ADDRESS", "0.0.0.0"), maxWorkers, ringSize,
            maxQueueBytes, maxBodyBytes, ioThreads, policyName, maxPending, threadingMode, Path.of(dirText),
            retryAfter, "epoll".equals(transport), ackMode, forceMaxPayloads, forceMaxDelayUs, maxConnections,
            headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs, maxUnfinishedBytes, workers,
            null == settingsFile ? null : Path.of(settingsFile), settingsPollMs, sources);
    }

    /**
     * @return the policy named by {@link #policyName()}.
     */
    public Policy policy()
    {
        return policy(policyName);
    }

    /**
     * @param maxQueue {@code MAX_QUEUE} as given.
     * @return the smallest power of 2 that is at least {@code MAX_QUEUE} (and at least 2, the smallest ring).
     * @throws IllegalArgumentException when not a number in 1..{@link #MAX_RING_SIZE}.
     */
    static int ringSize(final String maxQueue)
    {
        final int n = intIn("MAX_QUEUE", maxQueue, 1, MAX_RING_SIZE);
        return Math.max(2, n == 1 ? 2 : Integer.highestOneBit(n - 1) << 1);
    }

    private static Policy policy(final String name)
    {
        try
        {
            return Policy.byName(name);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("POLICY must be one of " + Policy.NAMES + ": POLICY=" + name, ex);
        }
    }

    private static int intIn(final String name, final String text, final int min, final int max)
    {
        return (int)longIn(name, text, min, max);
    }

    private static long longIn(final String name, final String text, final long min, final long max)
    {
        final long value;
        try
        {
            value = Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be a whole number: " + name + "=" + text);
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                name + " must be in " + min + ".." + max + ": " + name + "=" + text);
        }
        return value;
    }
}
