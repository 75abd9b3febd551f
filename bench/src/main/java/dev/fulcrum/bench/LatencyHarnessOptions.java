package dev.fulcrum.bench;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@link LatencyHarness}'s command-line options, {@code --name=value}.
 */
final class LatencyHarnessOptions
{
    static final String USAGE = String.join("\n",
        "usage: java -cp benchmarks.jar dev.fulcrum.bench.LatencyHarness [--name=value ...]",
        "  --out=DIR                 where .hgrm files, .svg charts and summary.md go (default harness-results)",
        "  --parts=closed,open,balance   which parts to run (default all three)",
        "  --latency-impls=SPECS     contenders of the closed and open parts (see Contenders), comma-separated",
        "  --balance-impls=SPECS     contenders of the balance part",
        "  --workers=N               workers in the closed and open parts (default 1)",
        "  --balance-workers=N       workers in the balance part (default 2)",
        "  --warmup-ms=MS            closed-loop warm-up per contender (default 1000)",
        "  --duration-ms=MS          each measured phase (default 2000)",
        "  --open-warmup-ms=MS       unrecorded open-loop run before each measured one (default 300)",
        "  --peak-ms=MS              peak measurement per contender: the open-loop sender, unpaced (default 1000)",
        "  --rates=F,F,...           open-loop rates as fractions of each contender's own peak (default 0.5,0.8,0.95)",
        "  --fixed-rates=R,R,...     open-loop rates in requests/s, the same for all (replaces --rates, no peak run)",
        "  --balance-load=F          balance-part rate as a fraction of the workers' capacity: the sum over workers",
        "                            of 1 / its mean task time, as really taken (parked tasks: with the park's",
        "                            overshoot, measured at start; the slow worker at its speed) (default 0.5)",
        "  --short-ns=NS             short task busy-spin (default 5000)",
        "  --long-factor=K           long task = K x short (default 100)",
        "  --task=spin|park          balance-part tasks busy-spin (default) or park for their time: park lets",
        "                            more workers than cores run heavy-tailed work without sharing a core",
        "  --long-percent=P          percent of tasks that are long (default 1)",
        "  --slow-worker=F           balance part: the first thread to run a task is slow, its tasks take 1/F",
        "                            as long; 0 < F <= 1 (default 1: off)",
        "  --sample-us=US            how often pending variance is sampled (default 1000)",
        "  --slots=N                 most requests in flight in open loop, a power of 2 (default 1024)",
        "  --max-requests=N          most requests per phase (default 50000000)",
        "  --requester-wait=spin|yield   how the closed-loop requester waits for its reply (default spin)",
        "  --help");

    Path out = Paths.get("harness-results");
    List<String> parts = List.of("closed", "open", "balance");
    List<String> latencyImpls = Contenders.split(
        "fulcrum-shared-spin,fulcrum-dedicated-backoff,tpeFuture,tpeCallback,forkJoin,disruptor-spin," +
        "disruptor-backoff");
    List<String> balanceImpls = Contenders.split(
        "fulcrum-leastLoaded,fulcrum-roundRobin,fulcrum-powerOfTwoChoices,fulcrum-joinIdleQueue," +
        "tpeCallback,forkJoin,disruptor");
    int workers = 1;
    int balanceWorkers = 2;
    long warmupMs = 1000;
    long durationMs = 2000;
    long openWarmupMs = 300;
    long peakMs = 1000;
    double[] rateFractions = {0.5, 0.8, 0.95};
    double[] fixedRates;
    double balanceLoad = 0.5;
    long shortNs = 5000;
    boolean parkTasks;
    int longFactor = 100;
    double longPercent = 1;
    double slowWorker = 1;
    long sampleUs = 1000;
    int slots = Contenders.RING_SIZE;
    long maxRequests = 50_000_000;
    String requesterWait = "spin";
    boolean help;

    static LatencyHarnessOptions parse(final String... args)
    {
        final LatencyHarnessOptions o = new LatencyHarnessOptions();
        o.help = HarnessFlags.parse(args, o::set);
        o.check();
        return o;
    }

    private static boolean taskKind(final String value)
    {
        return switch (value)
        {
            case "spin" -> false;
            case "park" -> true;
            default -> throw new IllegalArgumentException("task must be spin or park: task=" + value);
        };
    }

    private void set(final String name, final String value)
    {
        switch (name)
        {
            case "out" -> out = Paths.get(value);
            case "parts" -> parts = Contenders.split(value);
            case "latency-impls" -> latencyImpls = Contenders.split(value);
            case "balance-impls" -> balanceImpls = Contenders.split(value);
            case "workers" -> workers = Integer.parseInt(value);
            case "balance-workers" -> balanceWorkers = Integer.parseInt(value);
            case "warmup-ms" -> warmupMs = Long.parseLong(value);
            case "duration-ms" -> durationMs = Long.parseLong(value);
            case "open-warmup-ms" -> openWarmupMs = Long.parseLong(value);
            case "peak-ms" -> peakMs = Long.parseLong(value);
            case "rates" -> rateFractions = doubles(value);
            case "fixed-rates" -> fixedRates = doubles(value);
            case "balance-load" -> balanceLoad = Double.parseDouble(value);
            case "short-ns" -> shortNs = Long.parseLong(value);
            case "long-factor" -> longFactor = Integer.parseInt(value);
            case "task" -> parkTasks = taskKind(value);
            case "long-percent" -> longPercent = Double.parseDouble(value);
            case "slow-worker" -> slowWorker = Double.parseDouble(value);
            case "sample-us" -> sampleUs = Long.parseLong(value);
            case "slots" -> slots = Integer.parseInt(value);
            case "max-requests" -> maxRequests = Long.parseLong(value);
            case "requester-wait" -> requesterWait = value;
            default -> throw new IllegalArgumentException("unknown option: name=" + name);
        }
    }

    private void check()
    {
        for (final String part : parts)
        {
            if (!List.of("closed", "open", "balance").contains(part))
            {
                throw new IllegalArgumentException("parts are closed, open, balance: part=" + part);
            }
        }
        latencyImpls.forEach(Contenders::validate);
        balanceImpls.forEach(Contenders::validate);
        positive("workers", workers);
        positive("balance-workers", balanceWorkers);
        positive("duration-ms", durationMs);
        positive("peak-ms", peakMs);
        positive("sample-us", sampleUs);
        positive("max-requests", maxRequests);
        positive("short-ns", shortNs);
        positive("long-factor", longFactor);
        if (warmupMs < 0 || openWarmupMs < 0)
        {
            throw new IllegalArgumentException("warm-ups must be >= 0: warmup-ms=" + warmupMs +
                ", open-warmup-ms=" + openWarmupMs);
        }
        powerOfTwo("slots", slots);
        for (final double f : rateFractions)
        {
            if (!(f > 0))
            {
                throw new IllegalArgumentException("rates must be > 0: rate=" + f);
            }
        }
        if (null != fixedRates)
        {
            for (final double r : fixedRates)
            {
                if (!(r > 0))
                {
                    throw new IllegalArgumentException("fixed-rates must be > 0: rate=" + r);
                }
            }
        }
        if (!(balanceLoad > 0) || !(longPercent >= 0 && longPercent <= 100))
        {
            throw new IllegalArgumentException("balance-load must be > 0 and long-percent in 0..100: " +
                "balance-load=" + balanceLoad + ", long-percent=" + longPercent);
        }
        if (!(slowWorker > 0 && slowWorker <= 1))
        {
            throw new IllegalArgumentException("slow-worker must be > 0 and <= 1 (1: off): slow-worker=" +
                slowWorker);
        }
        if (!"spin".equals(requesterWait) && !"yield".equals(requesterWait))
        {
            throw new IllegalArgumentException("requester-wait is spin or yield: requester-wait=" + requesterWait);
        }
    }

    double meanServiceNs()
    {
        final double p = longPercent / 100;
        return shortNs * ((1 - p) + p * longFactor);
    }

    private static double[] doubles(final String value)
    {
        final List<String> items = Contenders.split(value);
        final double[] result = new double[items.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = Double.parseDouble(items.get(i));
        }
        return result;
    }

    private static void positive(final String name, final long value)
    {
        HarnessFlags.positive(name, value);
    }

    private static void powerOfTwo(final String name, final int value)
    {
        HarnessFlags.powerOfTwo(name, value);
    }

    /**
     * @return every option with its effective value, as a command line that repeats the run.
     */
    @Override
    public String toString()
    {
        return String.join(" ",
            "--out=" + out,
            "--parts=" + String.join(",", parts),
            "--latency-impls=" + String.join(",", latencyImpls),
            "--balance-impls=" + String.join(",", balanceImpls),
            "--workers=" + workers,
            "--balance-workers=" + balanceWorkers,
            "--warmup-ms=" + warmupMs,
            "--duration-ms=" + durationMs,
            "--open-warmup-ms=" + openWarmupMs,
            "--peak-ms=" + peakMs,
            null == fixedRates ? "--rates=" + join(rateFractions) : "--fixed-rates=" + join(fixedRates),
            "--balance-load=" + balanceLoad,
            "--short-ns=" + shortNs,
            "--task=" + (parkTasks ? "park" : "spin"),
            "--long-factor=" + longFactor,
            "--long-percent=" + longPercent,
            "--slow-worker=" + slowWorker,
            "--sample-us=" + sampleUs,
            "--slots=" + slots,
            "--max-requests=" + maxRequests,
            "--requester-wait=" + requesterWait);
    }

    private static String join(final double[] values)
    {
        final StringBuilder sb = new StringBuilder();
        for (final double v : values)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(v);
        }
        return sb.toString();
    }
}
