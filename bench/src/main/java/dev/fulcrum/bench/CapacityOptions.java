package dev.fulcrum.bench;

import dev.fulcrum.BalancerBuilder;
import dev.fulcrum.Policy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Command-line options of {@link CapacityReport}, {@code --name=value}; every value is checked at parse time, so a
 * long run fails at once on a typo.
 */
final class CapacityOptions
{
    static final String USAGE = String.join("\n",
        "usage: java -cp benchmarks.jar dev.fulcrum.bench.CapacityReport [--name=value ...]",
        "  --out=DIR                where the files go (default bench/results/<UTC date>)",
        "  --workers=LIST           worker counts (default 2,4,8,16,32,64,128,256)",
        "  --policies=LIST          policy names (default " + String.join(",", Policy.NAMES) + ")",
        "  --keyed=LIST             false (no keys), true (a key per request) or both (default false,true)",
        "  --max-pending=N          maxPendingPerWorker (default 16)",
        "  --in-flight=N            0 (default): --max-pending as it is; else maxPendingPerWorker = N / workers",
        "                           (at least 1), the same requests in flight for every worker count",
        "  --forks=N                JVMs per cell; the tables show their median, min to max (default 3)",
        "  --warmup-iterations=N    per fork (default 3)",
        "  --iterations=N           measured, per fork (default 3)",
        "  --iteration-ms=MS        each warm-up and measured iteration (default 1000)",
        "  --help");

    private static final String WORKERS_RANGE =
        "workers must each be an integer from 1 to " + BalancerBuilder.MAX_WORKERS + ": workers=";

    Path out = Paths.get("bench", "results", LocalDate.now(ZoneOffset.UTC).toString());
    List<String> workers = List.of("2", "4", "8", "16", "32", "64", "128", "256");
    List<String> policies = Policy.NAMES;
    List<String> keyed = List.of("false", "true");
    int maxPending = 16;
    int inFlight;
    int forks = 3;
    int warmupIterations = 3;
    int iterations = 3;
    int iterationMs = 1_000;
    boolean help;

    static CapacityOptions parse(final String... args)
    {
        final CapacityOptions o = new CapacityOptions();
        o.help = HarnessFlags.parse(args, o::set);
        return o;
    }

    private void set(final String name, final String value)
    {
        switch (name)
        {
            case "out" -> out = Paths.get(value);
            case "workers" -> workers = workers(value);
            case "policies" -> policies = policies(value);
            case "keyed" -> keyed = keyed(value);
            case "max-pending" -> maxPending = atLeast(name, value, 1);
            case "in-flight" -> inFlight = atLeast(name, value, 0);
            case "forks" -> forks = atLeast(name, value, 1);
            case "warmup-iterations" -> warmupIterations = atLeast(name, value, 0);
            case "iterations" -> iterations = atLeast(name, value, 1);
            case "iteration-ms" -> iterationMs = atLeast(name, value, 1);
            default -> throw new IllegalArgumentException("unknown option: --" + name + "=" + value +
                " (--help lists them)");
        }
    }

    private static List<String> workers(final String value)
    {
        final List<String> list = nonEmpty("workers", value);
        for (final String w : list)
        {
            final int n;
            try
            {
                n = Integer.parseInt(w);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(WORKERS_RANGE + value, ex);
            }
            if (n < 1 || n > BalancerBuilder.MAX_WORKERS)
            {
                throw new IllegalArgumentException(WORKERS_RANGE + value);
            }
        }
        return list;
    }

    private static List<String> policies(final String value)
    {
        final List<String> list = nonEmpty("policies", value);
        for (final String p : list)
        {
            Policy.byName(p); // names the value when it is not a policy
        }
        return list;
    }

    private static List<String> keyed(final String value)
    {
        final List<String> list = nonEmpty("keyed", value);
        for (final String k : list)
        {
            if (!"false".equals(k) && !"true".equals(k))
            {
                throw new IllegalArgumentException("keyed must be false, true or both: keyed=" + value);
            }
        }
        return list;
    }

    private static List<String> nonEmpty(final String name, final String value)
    {
        final List<String> list = Contenders.split(value);
        if (list.isEmpty())
        {
            throw new IllegalArgumentException(name + " must name at least one value: " + name + "=" + value);
        }
        return list;
    }

    private static int atLeast(final String name, final String value, final int min)
    {
        final int n = integer(name, value);
        if (n < min)
        {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + name + "=" + value);
        }
        return n;
    }

    private static int integer(final String name, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be an integer: " + name + "=" + value, ex);
        }
    }
}
