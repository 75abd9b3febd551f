package dev.fulcrum.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latency of Fulcrum against the baselines, recorded in HdrHistograms, in three parts:
 * <ol>
 * <li><b>closed</b>: one requester, one tiny request at a time; round trip as the requester sees it.</li>
 * <li><b>open</b>: one sender at fixed rates (by default 50%, 80% and 95% of each contender's own peak, measured
 * first with a window of requests in flight), each request timed from its <em>intended</em> send time to its reply
 * on the worker, so that a stalled sender does not hide the stall (coordinated omission corrected).</li>
 * <li><b>balance</b>: heavy-tailed task durations (mostly short bounded busy-spins, a few 100x longer) sent open
 * loop at a fraction of the workers' capacity; completion time from intended send time, and the variance of
 * per-worker pending work sampled as the run goes.</li>
 * </ol>
 * Writes one HdrHistogram percentile file ({@code .hgrm}, microseconds) per scenario and contender, one SVG chart
 * of latency by percentile per scenario, and {@code summary.md}, into the directory given by {@code --out}.
 * Every phase is bounded in time ({@code --duration-ms}) and count ({@code --max-requests}), and requests in flight
 * by {@code --slots}. Run with {@code --help} for the options.
 * <p>
 * Threads: 1 requester/sender. The closed-loop requester busy-spins on its reply by default
 * ({@code --requester-wait=spin}); the open-loop sender yields while it waits for the next send time or a free
 * slot. Engine threads: as each contender spec says (see {@link Contenders}).
 */
public final class LatencyHarness
{
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    /** The balance part's sender: a short park, timed at start for its overshoot, and the margin kept above it. */
    private static final long SENDER_PARK_PROBE_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long SENDER_PARK_MARGIN_NS = TimeUnit.MICROSECONDS.toNanos(20);
    static final double SCALE_TO_US = 1000.0;
    private static final int PERCENTILE_TICKS_PER_HALF_DISTANCE = 5;

    private final LatencyHarnessOptions options;
    private final PrintStream log;
    private final List<HarnessOutcome> outcomes = new ArrayList<>();
    private final Map<String, Map<String, Histogram>> byScenario = new LinkedHashMap<>();

    LatencyHarness(final LatencyHarnessOptions options, final PrintStream log)
    {
        this.options = options;
        this.log = log;
    }

    public static void main(final String[] args) throws IOException
    {
        final LatencyHarnessOptions options;
        try
        {
            options = LatencyHarnessOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(LatencyHarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help)
        {
            System.out.println(LatencyHarnessOptions.USAGE);
            return;
        }
        new LatencyHarness(options, System.out).run();
    }

    /**
     * Run the selected parts and write every file.
     *
     * @return the summary file.
     * @throws IOException when the output cannot be written.
     */
    Path run() throws IOException
    {
        Files.createDirectories(options.out);
        log.println("fulcrum latency harness: " + options);

        if (options.parts.contains("closed") || options.parts.contains("open"))
        {
            for (final String spec : options.latencyImpls)
            {
                try (Contender contender = Contenders.create(spec, options.workers))
                {
                    if (options.parts.contains("closed"))
                    {
                        closedLoop(contender);
                    }
                    if (options.parts.contains("open"))
                    {
                        openLoops(contender);
                    }
                }
            }
        }
        if (options.parts.contains("balance"))
        {
            for (final String spec : options.balanceImpls)
            {
                try (Contender contender = Contenders.create(spec, options.balanceWorkers))
                {
                    balance(contender);
                }
            }
        }
        return writeResults();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // closed loop

    private void closedLoop(final Contender contender)
    {
        final Probe probe = new Probe();
        probe.reply = Probe.REPLY;
        final Histogram histogram = newHistogram();
        roundTrips(contender, probe, options.warmupMs, null);
        final long count = roundTrips(contender, probe, options.durationMs, histogram);
        add(new HarnessOutcome("closed", contender, Double.NaN, histogram, count, null, "1 request in flight"));
    }

    private long roundTrips(final Contender contender, final Probe probe, final long ms, final Histogram histogram)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        final boolean spin = "spin".equals(options.requesterWait);
        long count = 0;
        while (count < options.maxRequests)
        {
            final long startNs = System.nanoTime();
            if (startNs - endNs >= 0)
            {
                break;
            }
            probe.input = count;
            probe.reset();
            contender.send(probe);
            if (spin)
            {
                contender.awaitSpinning(probe);
            }
            else
            {
                contender.awaitYielding(probe);
            }
            if (null != histogram)
            {
                record(histogram, System.nanoTime() - startNs);
            }
            count++;
        }
        return count;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // open loop

    private void openLoops(final Contender contender)
    {
        if (!contender.repliesByCallback())
        {
            log.println("open loop: skipping " + contender.name() + ": its result reaches only the thread that " +
                "blocks in Future.get(), so one open-loop sender cannot time it");
            return;
        }
        final double[] rates;
        final String[] labels;
        final double peak;
        if (null != options.fixedRates)
        {
            peak = Double.NaN;
            rates = options.fixedRates.clone();
            labels = new String[rates.length];
            for (int i = 0; i < rates.length; i++)
            {
                labels[i] = String.format(Locale.ROOT, "open-%.0fps", rates[i]);
            }
        }
        else
        {
            peak = measurePeak(contender);
            rates = new double[options.rateFractions.length];
            labels = new String[rates.length];
            for (int i = 0; i < rates.length; i++)
            {
                rates[i] = peak * options.rateFractions[i];
                labels[i] = String.format(Locale.ROOT, "open-%.0fpct", 100 * options.rateFractions[i]);
            }
        }
        for (int i = 0; i < rates.length; i++)
        {
            final Histogram histogram = newHistogram();
            final OpenLoopSender warm = new OpenLoopSender(options, contender, rates[i], false, false);
            warm.run(options.openWarmupMs, null);
            final OpenLoopSender loop = new OpenLoopSender(options, contender, rates[i], false, false);
            final long count = loop.run(options.durationMs, histogram);
            final String note = (Double.isNaN(peak) ? "fixed rate" : String.format(Locale.ROOT, "peak %.0f/s", peak)) +
                unsentNote(loop);
            add(new HarnessOutcome(labels[i], contender, rates[i], histogram, count, null, note));
        }
    }

    /**
     * @return requests per second that the open-loop sender itself gets through this contender when it never waits
     * for a send time, only for a free slot: the most an open-loop run at a fixed rate can offer.
     */
    private double measurePeak(final Contender contender)
    {
        final long startNs = System.nanoTime();
        final long sent = new OpenLoopSender(options, contender, Double.POSITIVE_INFINITY, false, false)
            .run(options.peakMs, null);
        final double peak = sent / ((System.nanoTime() - startNs) / 1e9);
        log.printf(Locale.ROOT, "peak %-28s %12.0f req/s (%d requests, up to %d in flight)%n",
            contender.name(), peak, sent, options.slots);
        return peak;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // balance

    private void balance(final Contender contender)
    {
        if (!contender.repliesByCallback())
        {
            log.println("balance: skipping " + contender.name() + ": no callback to time completion on the worker");
            return;
        }
        // the load is offered against what the tasks really take: a parked task wakes late
        final long overshootNs = options.parkTasks ? ParkOvershoot.measureNs(options.shortNs, 200) : 0;
        final double meanServiceNs = options.meanServiceNs() + overshootNs;
        final boolean slow = options.slowWorker < 1;
        // capacity in workers of full speed: the slow worker counts for its speed
        final double workers = contender.workers() - (slow ? 1 - options.slowWorker : 0);
        final double rate = options.balanceLoad * workers * 1e9 / meanServiceNs;
        // one slow worker for the warm-up and the measured run alike, so that a policy has learned it by then
        final SlowWorker slowWorker = slow ? new SlowWorker(options.slowWorker, overshootNs) : null;
        // the sender parks between sends where a park (with its overshoot and a margin) fits in the gap
        final long senderParkAboveNs = ParkOvershoot.measureNs(SENDER_PARK_PROBE_NS, 100) + SENDER_PARK_MARGIN_NS;
        new OpenLoopSender(options, contender, rate, slowWorker, false).parkAbove(senderParkAboveNs)
            .run(options.openWarmupMs, null);
        final Histogram histogram = newHistogram();
        final OpenLoopSender loop =
            new OpenLoopSender(options, contender, rate, slowWorker, true).parkAbove(senderParkAboveNs);
        final long count = loop.run(options.durationMs, histogram);
        final PendingVariance variance = loop.variance;
        final String note = String.format(Locale.ROOT, "load %.0f%%, service %dns (+%dns park overshoot), " +
            "x%d for %.2f%%, sender parks above %dns", 100 * options.balanceLoad, options.shortNs, overshootNs,
            options.longFactor, options.longPercent, senderParkAboveNs) +
            slowNote(slowWorker) + unsentNote(loop);
        add(new HarnessOutcome("balance", contender, rate, histogram, count, variance, note));
    }

    private static String slowNote(final SlowWorker slowWorker)
    {
        if (null == slowWorker)
        {
            return "";
        }
        final String thread = slowWorker.threadName();
        return String.format(Locale.ROOT, "; slow worker x%.2f (speed %s): thread=%s", 1 / slowWorker.speed(),
            slowWorker.speed(), null == thread ? "none (no task ran)" : thread);
    }

    private static String unsentNote(final OpenLoopSender loop)
    {
        return loop.unsent > 0 ? "; OVERLOADED: sender fell behind, " + loop.unsent + " requests never sent" : "";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // output

    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, 3);
    }

    static void record(final Histogram histogram, final long ns)
    {
        histogram.recordValue(Math.min(HIGHEST_TRACKABLE_NS, Math.max(0, ns)));
    }

    private void add(final HarnessOutcome outcome)
    {
        outcomes.add(outcome);
        byScenario.computeIfAbsent(outcome.scenario, k -> new LinkedHashMap<>()).put(outcome.impl, outcome.histogram);
        log.println(outcome.row());
    }

    private Path writeResults() throws IOException
    {
        for (final HarnessOutcome outcome : outcomes)
        {
            final Path file = options.out.resolve(outcome.scenario + "-" + outcome.impl + ".hgrm");
            try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
            {
                outcome.histogram.outputPercentileDistribution(
                    out, PERCENTILE_TICKS_PER_HALF_DISTANCE, SCALE_TO_US);
            }
        }
        for (final Map.Entry<String, Map<String, Histogram>> scenario : byScenario.entrySet())
        {
            PercentileChart.write(options.out.resolve(scenario.getKey() + ".svg"),
                title(scenario.getKey()), scenario.getValue());
        }

        final StringBuilder md = new StringBuilder();
        md.append("# Fulcrum latency harness results\n\n");
        md.append("- date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
            .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- options: `").append(options).append("`\n");
        md.append("- threads: 1 requester/sender (closed loop: `--requester-wait=").append(options.requesterWait)
            .append("`; open loop: yields while waiting), engine threads as each contender spec says ")
            .append("(`-spin`: busy-spin, `-backoff`: spin/yield/park, thread pools: park)\n");
        md.append("- latency in microseconds; open loop and balance timed from the intended send time\n\n");
        md.append(HarnessOutcome.HEADER).append('\n').append(HarnessOutcome.RULE).append('\n');
        for (final HarnessOutcome outcome : outcomes)
        {
            md.append(outcome.row()).append('\n');
        }
        md.append("\nCharts: ");
        for (final String scenario : byScenario.keySet())
        {
            md.append('[').append(scenario).append("](").append(scenario).append(".svg) ");
        }
        md.append('\n');
        final Path summary = options.out.resolve("summary.md");
        Files.writeString(summary, md, StandardCharsets.UTF_8);
        log.println("wrote " + outcomes.size() + " histograms, " + byScenario.size() + " charts and " + summary);
        return summary;
    }

    private String title(final String scenario)
    {
        if ("closed".equals(scenario))
        {
            return "Closed-loop round trip, 1 requester, workers=" + options.workers;
        }
        if ("balance".equals(scenario))
        {
            return String.format(Locale.ROOT,
                "Heavy-tailed tasks, completion time from intended send, workers=%d, load %.0f%%%s",
                options.balanceWorkers, 100 * options.balanceLoad,
                options.slowWorker < 1 ?
                    String.format(Locale.ROOT, ", one worker %.2fx slower", 1 / options.slowWorker) : "");
        }
        final String rate = scenario.substring("open-".length());
        return "Open loop at " + (null == options.fixedRates ? rate.replace("pct", "% of own peak") :
            rate.replace("ps", " req/s")) + ", from intended send time, workers=" + options.workers;
    }
}
