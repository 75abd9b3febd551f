package dev.fulcrum.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of {@link OrderedExecutorHarness}, {@code --name=value}; every value is checked at parse
 * time, so a long run fails at once on a typo.
 */
final class OrderedHarnessOptions
{
    static final String USAGE = String.join("\n",
        "usage: java -cp benchmarks.jar dev.fulcrum.bench.OrderedExecutorHarness [--name=value ...]",
        "  --out=DIR              where .hgrm files and summary.md go (default ordered-results)",
        "  --impls=SPECS          ordered contenders, comma-separated: fulcrum, fulcrum-shared, stripes",
        "                         (default fulcrum,stripes; the last one named stripes is the ratios' baseline)",
        "  --scenarios=NAMES      tail (Zipf keys, heavy-tailed tasks), hotkey (one key takes --hot-share)",
        "                         (default tail,hotkey)",
        "  --workers=N            Fulcrum's workers and the number of stripes (default 4)",
        "  --keys=N               distinct keys (default 1000)",
        "  --exponent=X           Zipf exponent of the keys (default 1.0)",
        "  --hot-share=F          hotkey: share of tasks on key 0, the rest Zipf over the other keys (default 0.5)",
        "  --load=F               offered rate as a fraction of capacity, workers / mean task time (default 0.5)",
        "  --short-ns=NS          short task: parks for this long (default 200000)",
        "  --long-factor=K        long task = K x short (default 100)",
        "  --long-percent=P       percent of tasks that are long (default 0.1)",
        "  --warmup-ms=MS         unrecorded open-loop run per contender and scenario (default 1000)",
        "  --duration-ms=MS       measured open-loop run per contender and scenario (default 3000)",
        "  --slots=N              most tasks in flight, a power of 2 (default 65536)",
        "  --max-requests=N       most tasks per run (default 10000000)",
        "  --help");

    Path out = Paths.get("ordered-results");
    List<String> impls = List.of("fulcrum", "stripes");
    List<String> scenarios = List.of("tail", "hotkey");
    int workers = 4;
    int keys = 1000;
    double exponent = 1.0;
    double hotShare = 0.5;
    double load = 0.5;
    long shortNs = 200_000;
    int longFactor = 100;
    double longPercent = 0.1;
    long warmupMs = 1000;
    long durationMs = 3000;
    int slots = 1 << 16;
    long maxRequests = 10_000_000;
    boolean help;

    static OrderedHarnessOptions parse(final String... args)
    {
        final OrderedHarnessOptions o = new OrderedHarnessOptions();
        o.help = HarnessFlags.parse(args, o::set);
        o.check();
        return o;
    }

    /**
     * @param measuredShortNs what a short task took when timed on this machine (a park overshoots its time).
     * @return mean task time: short tasks as measured, long ones {@code longFactor} times the asked short time
     * plus the same overshoot.
     */
    double meanServiceNs(final double measuredShortNs)
    {
        final double longShare = longPercent / 100;
        final double longNs = (double)shortNs * longFactor + (measuredShortNs - shortNs);
        return (1 - longShare) * measuredShortNs + longShare * longNs;
    }

    private void set(final String name, final String value)
    {
        switch (name)
        {
            case "out" -> out = Paths.get(value);
            case "impls" -> impls = Contenders.split(value);
            case "scenarios" -> scenarios = Contenders.split(value);
            case "workers" -> workers = Integer.parseInt(value);
            case "keys" -> keys = Integer.parseInt(value);
            case "exponent" -> exponent = Double.parseDouble(value);
            case "hot-share" -> hotShare = Double.parseDouble(value);
            case "load" -> load = Double.parseDouble(value);
            case "short-ns" -> shortNs = Long.parseLong(value);
            case "long-factor" -> longFactor = Integer.parseInt(value);
            case "long-percent" -> longPercent = Double.parseDouble(value);
            case "warmup-ms" -> warmupMs = Long.parseLong(value);
            case "duration-ms" -> durationMs = Long.parseLong(value);
            case "slots" -> slots = Integer.parseInt(value);
            case "max-requests" -> maxRequests = Long.parseLong(value);
            default -> throw new IllegalArgumentException("unknown option: --" + name);
        }
    }

    private void check()
    {
        for (final String impl : impls)
        {
            if (!List.of("fulcrum", "fulcrum-shared", "stripes").contains(impl))
            {
                throw new IllegalArgumentException(
                    "impls must be fulcrum, fulcrum-shared or stripes: impl=" + impl);
            }
        }
        for (final String scenario : scenarios)
        {
            if (!List.of("tail", "hotkey").contains(scenario))
            {
                throw new IllegalArgumentException("scenarios must be tail or hotkey: scenario=" + scenario);
            }
        }
        if (impls.isEmpty() || scenarios.isEmpty())
        {
            throw new IllegalArgumentException("impls and scenarios must name at least one each");
        }
        positive("workers", workers);
        if (keys < 2)
        {
            throw new IllegalArgumentException("keys must be >= 2: keys=" + keys);
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent))
        {
            throw new IllegalArgumentException("exponent must be finite and >= 0: exponent=" + exponent);
        }
        fraction("hot-share", hotShare);
        fraction("load", load);
        positive("short-ns", shortNs);
        positive("long-factor", longFactor);
        if (!(longPercent >= 0 && longPercent <= 100))
        {
            throw new IllegalArgumentException("long-percent must be in [0, 100]: long-percent=" + longPercent);
        }
        if (warmupMs < 0)
        {
            throw new IllegalArgumentException("warmup-ms must be >= 0: warmup-ms=" + warmupMs);
        }
        positive("duration-ms", durationMs);
        positive("max-requests", maxRequests);
        HarnessFlags.powerOfTwo("slots", slots);
    }

    private static void positive(final String name, final long value)
    {
        HarnessFlags.positive(name, value);
    }

    private static void fraction(final String name, final double value)
    {
        if (!(value > 0 && value < 1))
        {
            throw new IllegalArgumentException(name + " must be in (0, 1): " + name + "=" + value);
        }
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT,
            "--out=%s --impls=%s --scenarios=%s --workers=%d --keys=%d --exponent=%s --hot-share=%s --load=%s " +
            "--short-ns=%d --long-factor=%d --long-percent=%s --warmup-ms=%d --duration-ms=%d --slots=%d " +
            "--max-requests=%d",
            out, String.join(",", impls), String.join(",", scenarios), workers, keys, exponent, hotShare, load,
            shortNs, longFactor, longPercent, warmupMs, durationMs, slots, maxRequests);
    }
}
