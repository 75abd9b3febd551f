package dev.fulcrum.examples.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ingest server as a child JVM ({@link IngestServer#main}) on loopback and a free port, with what it printed at
 * start, and every later line of its output (standard output and error, its log lines included) for the test to
 * wait for.
 */
final class ChildServer
{
    private static final long START_DEADLINE_MS = 30_000;

    final Process process;
    final int port;
    /** The recovery line, without its directory. */
    final String recovered;
    /** The start line, {@code ingest: listening port=...}. */
    final String listening;
    private final LinkedBlockingQueue<String> lines;

    private ChildServer(final Process process, final int port, final String recovered, final String listening,
        final LinkedBlockingQueue<String> lines)
    {
        this.process = process;
        this.port = port;
        this.recovered = recovered;
        this.listening = listening;
        this.lines = lines;
    }

    /**
     * @param dir the sink directory.
     * @param env settings over the defaults here (durable, {@code MAX_WORKERS=2}).
     * @return the server, listening.
     */
    static ChildServer start(final Path dir, final Map<String, String> env) throws Exception
    {
        return start(List.of(), dir, env);
    }

    /**
     * @param launcher the command that runs the JVM's command line given after it (empty: none).
     * @param dir the sink directory.
     * @param env settings over the defaults here (durable, {@code MAX_WORKERS=2}).
     * @return the server, listening.
     */
    static ChildServer start(final List<String> launcher, final Path dir, final Map<String, String> env)
        throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
            "-cp", System.getProperty("java.class.path"), IngestServer.class.getName(), "--dir", dir.toString()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        final Map<String, String> settings = new HashMap<>(Map.of("PORT", "0", "BIND_ADDRESS", "127.0.0.1",
            "ACK_MODE", "durable", "MAX_WORKERS", "2"));
        settings.putAll(env);
        builder.environment().putAll(settings);
        final Process process = builder.start();
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                // the child is gone
            }
        }, "child-server-output");
        reader.setDaemon(true);
        reader.start();

        String recovered = null;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DEADLINE_MS);
        while (System.nanoTime() < deadline)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (null == line)
            {
                if (!process.isAlive())
                {
                    fail("the server exited at start: " + lines);
                }
                continue;
            }
            if (line.startsWith("ingest: recovered "))
            {
                recovered = line.substring("ingest: recovered ".length());
            }
            if (line.startsWith("ingest: listening port="))
            {
                assertNotNull(recovered, "recovery is reported before listening");
                final String port = line.substring("ingest: listening port=".length()).split(" ")[0];
                return new ChildServer(process, Integer.parseInt(port), recovered.replaceAll("dir=\\S+ ", ""), line,
                    lines);
            }
        }
        process.destroyForcibly();
        throw new AssertionError("the server did not start in " + START_DEADLINE_MS + " ms: " + lines);
    }

    /**
     * Wait for a line of the server's output that contains {@code text}, skipping the lines before it.
     *
     * @return the line.
     * @throws AssertionError when none came within {@code timeoutMs}.
     */
    String awaitLine(final String text, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (null != line && line.contains(text))
            {
                return line;
            }
        }
        throw new AssertionError("the server printed no line with \"" + text + "\" in " + timeoutMs + " ms");
    }
}
