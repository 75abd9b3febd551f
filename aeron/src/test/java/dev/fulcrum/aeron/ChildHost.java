package dev.fulcrum.aeron;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link AeronWorkerHost#main(String[])} in a child JVM on this test's class path, with the module's JVM flags and
 * 64 KiB terms for a driver it embeds. Its first line of output says it is ready; its standard error goes to a file
 * under {@code target/aeron-test} that a failure shows.
 */
final class ChildHost implements AutoCloseable
{
    final Process process;
    private final File stderr;
    private volatile String firstLine;

    private ChildHost(final Process process, final File stderr)
    {
        this.process = process;
        this.stderr = stderr;
        final Thread reader = new Thread(this::readOutput, "child-host-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ChildHost start(final String... hostArgs)
    {
        return start(List.of(), hostArgs);
    }

    /**
     * @param commandPrefix what runs the JVM, before its path: {@code ip netns exec NAME} to start it in another
     *                      network namespace; empty to start it directly.
     * @param hostArgs      the host's options.
     */
    static ChildHost start(final List<String> commandPrefix, final String... hostArgs)
    {
        final List<String> command = new ArrayList<>(commandPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("fulcrum.aeron.childJvmFlags",
            "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED").trim();
        if (!flags.isEmpty())
        {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1",
            "-Daeron.term.buffer.length=" + TestDriver.TERM_LENGTH,
            "-Daeron.ipc.term.buffer.length=" + TestDriver.TERM_LENGTH,
            "-cp", System.getProperty("java.class.path"), AeronWorkerHost.class.getName()));
        command.addAll(Arrays.asList(hostArgs));
        final File stderr = new File(TestDriver.newDirectory("child-host").getPath() + ".err");
        try
        {
            Files.createDirectories(stderr.getParentFile().toPath());
            final Process process = new ProcessBuilder(command)
                .redirectError(stderr)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            return new ChildHost(process, stderr);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void readOutput()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if (null == firstLine)
                {
                    firstLine = line;
                }
            }
        }
        catch (final IOException ignore)
        {
            // the child was killed
        }
    }

    void awaitReady()
    {
        Await.until(() ->
        {
            if (!process.isAlive())
            {
                throw new AssertionError("the host exited with " + process.exitValue() + ": " + errors());
            }
            return null != firstLine;
        }, () -> "the child host's ready line; its stderr: " + errors());
        if (!firstLine.startsWith(HostCommandLine.READY))
        {
            throw new AssertionError("unexpected first line: " + firstLine + "; stderr: " + errors());
        }
    }

    String errors()
    {
        try
        {
            return Files.readString(stderr.toPath());
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /**
     * Send the process a signal with {@code kill} (for example {@code STOP} and {@code CONT}, which the JDK cannot).
     *
     * @throws IOException when there is no {@code kill} to run.
     */
    void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
        {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " +
                new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new AssertionError("the child host did not die");
        }
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        stderr.delete();
    }
}
