package dev.fulcrum.bench;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Runs {@link BalancerCapacityBenchmark} over worker counts, policies and keyed or not (JMH, one JVM per fork), and
 * writes what one balancer thread sustains: {@code balancer-capacity.md} (machine, JDK, settings, and the tables of
 * {@link CapacityTable}), {@code balancer-capacity.svg} (cost per dispatch against log2(workers), one line per
 * policy) and {@code balancer-capacity.json} (JMH's raw results). Run from the repository's root:
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.fulcrum.bench.CapacityReport --out=bench/results/$(date -u +%F)
 * </pre>
 * {@code --help} lists the options.
 */
public final class CapacityReport
{
    static final String NAME = "balancer-capacity";

    private CapacityReport()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final CapacityOptions options = CapacityOptions.parse(args);
        if (options.help)
        {
            System.out.println(CapacityOptions.USAGE);
            return;
        }
        Files.createDirectories(options.out);
        final String started = Instant.now().toString();
        final String loadBefore = loadAverage();
        final Collection<RunResult> results = run(jmh(options)
            .result(options.out.resolve(NAME + ".json").toString())
            .resultFormat(ResultFormatType.JSON));
        final CapacityTable table = table(results);
        final String md = header(options, started, loadBefore) + table.markdown();
        Files.writeString(options.out.resolve(NAME + ".md"), md, StandardCharsets.UTF_8);
        final String svg =
            table.svg("One balancer thread: ns per dispatch (dashed: keyed; bars: the forks' min to max)");
        Files.writeString(options.out.resolve(NAME + ".svg"), svg, StandardCharsets.UTF_8);
        System.out.println(md);
        System.out.println("written: " + options.out.resolve(NAME + ".md") + ", .svg, .json");
    }

    /**
     * @return the JMH options for {@code options}' cells (no result file).
     */
    static ChainedOptionsBuilder jmh(final CapacityOptions options)
    {
        return new OptionsBuilder()
            .include("^" + Pattern.quote(BalancerCapacityBenchmark.class.getName()) + "\\.round$")
            .param("workers", options.workers.toArray(new String[0]))
            .param("policy", options.policies.toArray(new String[0]))
            .param("keyed", options.keyed.toArray(new String[0]))
            .param("maxPending", Integer.toString(options.maxPending))
            .param("inFlight", Integer.toString(options.inFlight))
            .forks(options.forks)
            .warmupIterations(options.warmupIterations)
            .warmupTime(TimeValue.milliseconds(options.iterationMs))
            .measurementIterations(options.iterations)
            .measurementTime(TimeValue.milliseconds(options.iterationMs))
            .shouldFailOnError(true);
    }

    static Collection<RunResult> run(final ChainedOptionsBuilder jmh) throws RunnerException
    {
        return new Runner(jmh.build()).run();
    }

    /**
     * @return every fork of every cell, from the benchmark's counters, iteration by iteration.
     */
    @SuppressWarnings("rawtypes") // JMH hands out its secondary results as raw Result
    static CapacityTable table(final Collection<RunResult> results)
    {
        final CapacityTable table = new CapacityTable();
        for (final RunResult run : results)
        {
            final int workers = Integer.parseInt(run.getParams().getParam("workers"));
            final String policy = run.getParams().getParam("policy");
            final boolean keyed = Boolean.parseBoolean(run.getParams().getParam("keyed"));
            for (final BenchmarkResult fork : run.getBenchmarkResults())
            {
                double ns = 0;
                double dispatches = 0;
                double cycles = 0;
                final List<Double> p50PerDispatch = new ArrayList<>();
                for (final IterationResult iteration : fork.getIterationResults())
                {
                    final Map<String, Result> counters = iteration.getSecondaryResults();
                    final double d = score(counters, "dispatches");
                    final double c = score(counters, "cycles");
                    ns += score(counters, "balancerNs");
                    dispatches += d;
                    cycles += c;
                    if (d > 0)
                    {
                        p50PerDispatch.add(score(counters, "cycleP50Ns") / (d / c));
                    }
                }
                if (dispatches > 0)
                {
                    table.add(workers, policy, keyed, new CapacityTable.Fork(ns / dispatches,
                        CapacityTable.median(p50PerDispatch.stream().mapToDouble(Double::doubleValue).toArray()),
                        dispatches / cycles));
                }
            }
        }
        return table;
    }

    @SuppressWarnings("rawtypes") // as above
    private static double score(final Map<String, Result> counters, final String name)
    {
        final Result r = counters.get(name);
        if (null == r)
        {
            throw new IllegalStateException("the benchmark reported no " + name + " counter: " + counters.keySet());
        }
        return r.getScore();
    }

    private static String header(final CapacityOptions o, final String started, final String loadBefore)
    {
        return "# One balancer thread's capacity\n\n" +
            "- run: " + started + " to " + Instant.now() + " (UTC); load average before " + loadBefore + ", after " +
            loadAverage() + "\n" +
            "- machine: " + Machine.describe() + "\n" +
            "- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + "\n" +
            "- JMH: " + o.forks + (o.forks == 1 ? " fork" : " forks") + " per cell (-Xms1g -Xmx1g " +
            "-XX:+AlwaysPreTouch), " + o.warmupIterations + " x " + o.iterationMs + " ms warm-up, " + o.iterations +
            " x " + o.iterationMs + " ms measured\n" +
            "- balancer: ThreadingMode.INVOKER, stepped on the benchmark thread; maxPendingPerWorker " +
            (o.inFlight > 0 ? o.inFlight + " / workers (at least 1: the same in flight for every worker count)" :
            Integer.toString(o.maxPending)) + " (joinIdleQueue 1); stall detection off (no watchdog thread); ring " +
            "holds workers x maxPendingPerWorker requests before each cycle\n" +
            "- workers: threads parked in a gate (their idle strategy) while the balancer's cycle runs, then each " +
            "runs all it was given (BenchTask on a reused Probe) and hands back its completions before the next " +
            "cycle: never the limit\n" +
            "- a dispatch: the balancer's share of one request, taking it from the ring, choosing its worker, " +
            "offering it to the worker's queue, and draining its completion; timed as the cycles' nanoseconds " +
            "(two System.nanoTime() reads per cycle included) over the dispatches they made\n";
    }

    private static String loadAverage()
    {
        try
        {
            final String s = Files.readString(Paths.get("/proc/loadavg"), StandardCharsets.US_ASCII).trim();
            final String[] parts = s.split(" ");
            return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : s;
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }
}
