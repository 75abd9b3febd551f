package dev.fulcrum.stat.tool;

import dev.fulcrum.stat.CountersFile;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The stat tool's command line. Every option is known in advance, so a typo is an error naming it, never a silently
 * ignored setting.
 */
final class StatOptions
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -jar fulcrum-stat.jar [--dir D] [--pid P | FILE] [--errors] [--json] [--count N]",
        "                                  [--interval-ms MS] [--delete-dead]",
        "  (nothing)        list the balancers whose counters files are in the directory: pid, live, closed or dead,",
        "                   policy, threading mode, workers, start time",
        "  --dir D          the counters directory; default: the fulcrum.counters.dir property, else the",
        "                   FULCRUM_COUNTERS_DIR environment variable",
        "  --pid P          print the counters of the balancers of process P every interval, with rates per second",
        "  FILE             the same for one counters file (a path, or a name in the directory)",
        "  --errors         print the error log (of the balancers chosen, or of every file in the directory) once",
        "  --json           one JSON object per line: per sample, per error, per file listed",
        "  --count N        stop after N samples (default: until interrupted)",
        "  --interval-ms MS between samples (default 1000, at least 10)",
        "  --delete-dead    delete the files of balancers that closed or whose process is gone",
        "  --help           this");

    final Path dir;
    final long pid;
    final Path file;
    final boolean errors;
    final boolean json;
    final long count;
    final long intervalMs;
    final boolean deleteDead;
    final boolean help;

    private StatOptions(final Builder b)
    {
        dir = b.dir;
        pid = b.pid;
        file = b.file;
        errors = b.errors;
        json = b.json;
        count = b.count;
        intervalMs = b.intervalMs;
        deleteDead = b.deleteDead;
        help = b.help;
    }

    /**
     * @throws IllegalArgumentException naming the option and its value when an argument is wrong.
     */
    static StatOptions parse(final String... args)
    {
        final Builder b = new Builder();
        String fileArg = null;
        String dirArg = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    b.help = true;
                    break;
                case "--errors":
                    b.errors = true;
                    break;
                case "--json":
                    b.json = true;
                    break;
                case "--delete-dead":
                    b.deleteDead = true;
                    break;
                case "--dir":
                    dirArg = value(args, i++);
                    break;
                case "--pid":
                    b.pid = number(arg, value(args, i++), 1);
                    break;
                case "--count":
                    b.count = number(arg, value(args, i++), 1);
                    break;
                case "--interval-ms":
                    b.intervalMs = number(arg, value(args, i++), 10);
                    break;
                default:
                    if (arg.startsWith("-"))
                    {
                        throw new IllegalArgumentException("unknown option: option=" + arg);
                    }
                    if (null != fileArg)
                    {
                        throw new IllegalArgumentException("one file at most: file=" + fileArg + ", then file=" + arg);
                    }
                    fileArg = arg;
            }
        }
        if (b.pid > 0 && null != fileArg)
        {
            throw new IllegalArgumentException("--pid or a file, not both: pid=" + b.pid + ", file=" + fileArg);
        }
        if (b.help)
        {
            return new StatOptions(b);
        }
        b.dir = null != dirArg ? path("--dir", dirArg) : configured(b.deleteDead ? null : fileArg);
        if (null != fileArg)
        {
            final Path given = path("file", fileArg);
            b.file = null == b.dir || given.isAbsolute() || given.getNameCount() > 1 ? given : b.dir.resolve(given);
        }
        return new StatOptions(b);
    }

    private static Path configured(final String fileArg)
    {
        final Optional<Path> configured = CountersFile.configuredDirectory();
        if (configured.isEmpty() && null == fileArg)
        {
            throw new IllegalArgumentException("no counters directory: give --dir D, or set the " +
                CountersFile.DIRECTORY_PROPERTY + " property or the " + CountersFile.DIRECTORY_ENV +
                " environment variable");
        }
        return configured.orElse(null);
    }

    private static String value(final String[] args, final int i)
    {
        if (i + 1 >= args.length)
        {
            throw new IllegalArgumentException("option needs a value: option=" + args[i]);
        }
        return args[i + 1];
    }

    private static long number(final String option, final String value, final long min)
    {
        try
        {
            final long n = Long.parseLong(value);
            if (n >= min)
            {
                return n;
            }
        }
        catch (final NumberFormatException ex)
        {
            // said below
        }
        throw new IllegalArgumentException(option + " must be a whole number >= " + min + ": " + option + "=" + value);
    }

    private static Path path(final String option, final String value)
    {
        try
        {
            return Path.of(value);
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException(option + " must be a path: " + option + "=" + value, ex);
        }
    }

    /**
     * @return true when the counters of chosen balancers are to be printed every interval.
     */
    boolean watching()
    {
        return !errors && !deleteDead && (pid > 0 || null != file);
    }

    private static final class Builder
    {
        Path dir;
        long pid;
        Path file;
        boolean errors;
        boolean json;
        long count = Long.MAX_VALUE;
        long intervalMs = 1000;
        boolean deleteDead;
        boolean help;
    }
}
