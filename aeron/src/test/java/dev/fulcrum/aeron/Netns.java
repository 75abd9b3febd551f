package dev.fulcrum.aeron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to this one by a veth pair, made and changed by the module's {@code scripts/netns.sh}
 * (run with {@code bash}): its name, the two ends' addresses, and the script's commands. Every command runs with a
 * deadline; one that fails throws {@link Failure} with the script's own words.
 */
final class Netns
{
    /** The script, from the module's directory (the tests' working directory). */
    static final Path SCRIPT = Path.of("scripts", "netns.sh");
    private static final long COMMAND_TIMEOUT_S = 30;

    final String name;
    /** The veth end in this (the root) namespace. */
    final String rootAddress;
    /** The veth end in the namespace. */
    final String nsAddress;

    private Netns(final String name, final String rootAddress, final String nsAddress)
    {
        this.name = name;
        this.rootAddress = rootAddress;
        this.nsAddress = nsAddress;
    }

    /** A script command that failed (exit status not 0, or no answer in time), with what it printed. */
    static final class Failure extends Exception
    {
        private static final long serialVersionUID = 1L;

        Failure(final String message)
        {
            super(message);
        }
    }

    /**
     * Make namespace {@code name} (removing what a previous run left under that name first).
     *
     * @throws Failure when the script cannot: not root, no {@code ip} or {@code tc}, {@code ip netns add} refused.
     */
    static Netns up(final String name) throws Failure
    {
        final Map<String, String> fields = new HashMap<>();
        for (final String field : run("up", name).trim().split("\\s+"))
        {
            final int eq = field.indexOf('=');
            if (eq > 0)
            {
                fields.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        if (!fields.containsKey("root_addr") || !fields.containsKey("ns_addr"))
        {
            throw new Failure("netns.sh up " + name + " printed no addresses: " + fields);
        }
        return new Netns(name, fields.get("root_addr"), fields.get("ns_addr"));
    }

    /** Remove namespace {@code name} and its veth pair; nothing there is not an error. */
    static void down(final String name) throws Failure
    {
        run("down", name);
    }

    /**
     * @param args netem's arguments, put on both ends (each direction's egress).
     */
    void netem(final String args) throws Failure
    {
        run("netem", name, args);
    }

    /** Drop every frame both ways without netem (the script's {@code cut}). */
    void cut() throws Failure
    {
        run("cut", name);
    }

    /** Remove netem and cut. */
    void clear() throws Failure
    {
        run("clear", name);
    }

    /**
     * @return null when netem can be put on the veth pair, else why not (the script's message). Leaves none on.
     */
    String whyNoNetem()
    {
        try
        {
            netem("delay 1ms");
            return null;
        }
        catch (final Failure ex)
        {
            return ex.getMessage();
        }
        finally
        {
            try
            {
                clear();
            }
            catch (final Failure ignore)
            {
                // nothing was put on
            }
        }
    }

    /**
     * @return the words before a command that runs it in the namespace.
     */
    List<String> exec()
    {
        return List.of("ip", "netns", "exec", name);
    }

    /**
     * @return a UDP port on the root end's address that was free a moment ago.
     */
    int freeRootPort()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(rootAddress), 0)))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public String toString()
    {
        return "Netns{" + name + ", root " + rootAddress + ", ns " + nsAddress + '}';
    }

    private static String run(final String... args) throws Failure
    {
        if (!Files.isRegularFile(SCRIPT))
        {
            throw new IllegalStateException("the tests' working directory is not the aeron module's: no " +
                SCRIPT.toAbsolutePath());
        }
        final List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new Failure("cannot run " + String.join(" ", command) + " (is bash installed?): " + ex);
        }
        try
        {
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new Failure(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_S + " s");
            }
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (0 != process.exitValue())
            {
                throw new Failure(output.trim() + " (exit status " + process.exitValue() + ")");
            }
            return output;
        }
        catch (final IOException ex)
        {
            throw new Failure(String.join(" ", command) + ": " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new Failure(String.join(" ", command) + " interrupted");
        }
    }
}
