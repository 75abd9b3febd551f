package dev.fulcrum.stat.tool;

import dev.fulcrum.stat.CountersFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code fulcrum-stat}: what AeronStat is to Aeron, for Fulcrum's counters files. Run as
 * {@code java -jar stat/target/fulcrum-stat.jar}; it needs no JVM flag and no access to the process it reads (only
 * to the directory). With no choice it lists the balancers in the directory; {@code --pid P} or a file prints their
 * counters every interval with rates per second; {@code --errors} prints their error logs; {@code --delete-dead}
 * removes the files of balancers that closed or died. {@link StatOptions#USAGE} has every option.
 */
public final class FulcrumStat
{
    private FulcrumStat()
    {
    }

    /**
     * Returns when done (after {@code --count} samples, or at once for a list); exits with the status of
     * {@link #run} only when that is not 0 (2: bad arguments, 1: nothing to read), so a test can call it in-process.
     *
     * @param args the command line.
     * @throws InterruptedException when interrupted between samples.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int status = run(args, System.out, System.err);
        if (0 != status)
        {
            System.exit(status);
        }
    }

    /**
     * @param args the command line.
     * @param out  where the output goes.
     * @param err  where errors and the usage go.
     * @return 0 when done, 1 when there was nothing to read, 2 for bad arguments.
     * @throws InterruptedException when interrupted between samples.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        final StatOptions options;
        try
        {
            options = StatOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(ex.getMessage());
            err.println(StatOptions.USAGE);
            return 2;
        }
        if (options.help)
        {
            out.println(StatOptions.USAGE);
            return 0;
        }
        try
        {
            if (options.deleteDead)
            {
                return deleteDead(options, out);
            }
            if (options.errors)
            {
                return errors(options, out, err);
            }
            if (options.watching())
            {
                return watch(options, out, err);
            }
            return list(options, out);
        }
        catch (final IOException ex)
        {
            err.println("fulcrum-stat: " + ex);
            return 1;
        }
    }

    private static int list(final StatOptions options, final PrintStream out) throws IOException
    {
        final List<Path> paths = CountersFile.list(options.dir);
        if (!options.json)
        {
            out.println(String.format(Locale.ROOT, "%-32s %8s %-7s %-18s %-9s %7s  %s", "FILE", "PID", "STATUS",
                "POLICY", "MODE", "WORKERS", "STARTED"));
        }
        for (final Path path : paths)
        {
            final CountersFile file;
            try
            {
                file = CountersFile.open(path);
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                out.println(options.json ? "{\"file\":" + Json.string(new StringBuilder(), name(path)) +
                    ",\"error\":" + Json.string(new StringBuilder(), ex.getMessage()) + "}" :
                    String.format(Locale.ROOT, "%-32s unreadable: %s", name(path), ex.getMessage()));
                continue;
            }
            if (options.json)
            {
                final StringBuilder line = new StringBuilder("{");
                Json.string(Json.name(line, "file"), name(path)).append(',');
                Json.name(line, "pid").append(file.pid()).append(',');
                Json.string(Json.name(line, "status"), file.status().name()).append(',');
                Json.string(Json.name(line, "policy"), file.policy()).append(',');
                Json.string(Json.name(line, "mode"), file.threadingMode()).append(',');
                Json.name(line, "workers").append(file.workers()).append(',');
                Json.name(line, "maxWorkers").append(file.maxWorkers()).append(',');
                Json.string(Json.name(line, "started"), file.startTime().toString());
                out.println(line.append('}'));
            }
            else
            {
                out.println(String.format(Locale.ROOT, "%-32s %8d %-7s %-18s %-9s %7s  %s", name(path), file.pid(),
                    file.status(), file.policy(), file.threadingMode(), file.workers() + "/" + file.maxWorkers(),
                    file.startTime()));
            }
        }
        return 0;
    }

    private static int watch(final StatOptions options, final PrintStream out, final PrintStream err)
        throws IOException, InterruptedException
    {
        final List<CountersFile> files = chosen(options, err);
        if (files.isEmpty())
        {
            return 1;
        }
        final List<WatchedFile> watched = new ArrayList<>();
        for (final CountersFile file : files)
        {
            watched.add(new WatchedFile(file));
        }
        for (long n = 0; n < options.count; n++)
        {
            if (n > 0)
            {
                Thread.sleep(options.intervalMs);
            }
            final Instant now = Instant.now();
            final long nowNs = System.nanoTime();
            for (final WatchedFile file : watched)
            {
                out.print(file.sample(options.json, now, nowNs));
            }
            if (!options.json)
            {
                out.println("--");
            }
            out.flush();
        }
        return 0;
    }

    private static int errors(final StatOptions options, final PrintStream out, final PrintStream err)
        throws IOException
    {
        final List<CountersFile> files = options.pid > 0 || null != options.file ? chosen(options, err) : all(options);
        for (final CountersFile file : files)
        {
            final String name = name(file.path());
            final StringBuilder text = new StringBuilder();
            final int distinct = file.forEachError((count, firstMs, lastMs, error) ->
            {
                if (options.json)
                {
                    final StringBuilder line = new StringBuilder("{");
                    Json.string(Json.name(line, "file"), name).append(',');
                    Json.name(line, "observations").append(count).append(',');
                    Json.string(Json.name(line, "first"), Instant.ofEpochMilli(firstMs).toString()).append(',');
                    Json.string(Json.name(line, "last"), Instant.ofEpochMilli(lastMs).toString()).append(',');
                    Json.string(Json.name(line, "error"), error);
                    text.append(line.append('}')).append(System.lineSeparator());
                }
                else
                {
                    text.append(String.format(Locale.ROOT, "%d observations from %s to %s for:%n %s%n", count,
                        Instant.ofEpochMilli(firstMs), Instant.ofEpochMilli(lastMs), error.stripTrailing()));
                }
            });
            if (!options.json)
            {
                out.println(name + " (pid " + file.pid() + ", " + file.status() + "): " + distinct + " distinct error" +
                    (1 == distinct ? "" : "s"));
            }
            out.print(text);
        }
        return files.isEmpty() && (options.pid > 0 || null != options.file) ? 1 : 0;
    }

    private static int deleteDead(final StatOptions options, final PrintStream out) throws IOException
    {
        for (final Path path : CountersFile.list(options.dir))
        {
            final CountersFile.Status status;
            try
            {
                status = CountersFile.open(path).status();
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                continue; // not written yet, or not ours: left alone
            }
            if (CountersFile.Status.LIVE != status)
            {
                Files.deleteIfExists(path);
                out.println("deleted " + name(path) + " (" + status + ")");
            }
        }
        return 0;
    }

    /**
     * @return the files {@code --pid} or the file argument chose, each opened; told on {@code err} when none.
     */
    private static List<CountersFile> chosen(final StatOptions options, final PrintStream err) throws IOException
    {
        final List<CountersFile> files = new ArrayList<>();
        if (null != options.file)
        {
            try
            {
                files.add(CountersFile.open(options.file));
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("fulcrum-stat: " + ex.getMessage());
            }
            return files;
        }
        for (final CountersFile file : all(options))
        {
            if (file.pid() == options.pid)
            {
                files.add(file);
            }
        }
        if (files.isEmpty())
        {
            err.println("fulcrum-stat: no counters file of pid=" + options.pid + " in " + options.dir);
        }
        return files;
    }

    private static List<CountersFile> all(final StatOptions options) throws IOException
    {
        final List<CountersFile> files = new ArrayList<>();
        if (null == options.dir)
        {
            return files;
        }
        for (final Path path : CountersFile.list(options.dir))
        {
            try
            {
                files.add(CountersFile.open(path));
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                // not written yet: skipped
            }
        }
        return files;
    }

    private static String name(final Path path)
    {
        return path.getFileName().toString();
    }
}
