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
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fulcrum's ordered executor ({@code FulcrumExecutorService.forKey(key).execute}) against the hashed
 * single-thread-executor pattern ({@code workers} x {@code Executors.newSingleThreadExecutor()}, key modulo
 * stripes), open loop, HdrHistogram, each task timed from its <em>intended</em> start time (coordinated omission
 * corrected: a sender held up by a full ring or a slow engine still charges the wait to the tasks it delays).
 * <p>
 * Load: {@code --keys} keys (1,000), {@code --workers} workers and as many stripes (4); tasks
 * park ({@code LockSupport.parkNanos}) for {@code --short-ns} (200 us), {@code --long-percent} (0.1%) of them
 * {@code --long-factor} (100x) longer, so that 4 workers hold work without holding the 2 cores; offered at
 * {@code --load} (50%) of capacity, {@code workers / mean task time}, where the short task's time is measured on
 * this machine first (a park overshoots by the timer slack, often 50 us). Scenarios:
 * <ul>
 *   <li>{@code tail}: keys Zipf({@code --exponent}, 1.0), key 0 the hottest (about 13%);</li>
 *   <li>{@code hotkey}: key 0 takes {@code --hot-share} (half) of the tasks, the rest Zipf over the other keys;
 *   rows for all tasks and for the other keys alone. One key's tasks run one at a time in both engines, so the hot
 *   key alone needs {@code hot-share x load x workers} of one worker (1.0 with the defaults: a queue at that key
 *   that grows with the run for every contender; the harness says so when it starts).</li>
 * </ul>
 * Both contenders see the same sequence of keys and task times (fixed seeds). Threads: 1 sender, which yields
 * ({@link Thread#yield()}) until the next intended start time or a free slot; Fulcrum (DEDICATED) adds workers + 1
 * balancer thread (and its stall watchdog, waking every 5 ms), default back-off idle strategy (spin 10, yield
 * 1,000, park 1..100 us); each stripe is one thread parked in {@code LinkedBlockingQueue.take}. Prints p50, p90,
 * p99, p99.9, max (us) and throughput per contender and scenario, and the ratio of p99 and of throughput to the
 * stripes' (goal: p99 at most 0.3x, throughput at least 1x); writes {@code <scenario>-<contender>[-others].hgrm}
 * (microseconds) and {@code summary.md} into {@code --out}. Bounded: {@code --warmup-ms} + {@code --duration-ms}
 * of send times per contender and scenario (a sender that falls a whole duration behind stops), then the backlog
 * drains.
 */
public final class OrderedExecutorHarness
{
    static final String BASELINE = "stripes";
    static final int HOT_KEY = 0;
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(120);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final double SCALE_TO_US = 1000.0;
    private static final int KEY_SAMPLES = 1 << 20;
    private static final long SEED = 20_261_201L;
    private static final int CALIBRATION_TASKS = 200;
    static final String HEADER =
        "| scenario | contender | tasks | offered/s | count | throughput/s | p50 | p90 | p99 | p99.9 | max | note |";
    static final String RULE = "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|";

    private final OrderedHarnessOptions options;
    private final PrintStream log;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> ratios = new ArrayList<>();
    private final AtomicLong engineErrors = new AtomicLong();

    OrderedExecutorHarness(final OrderedHarnessOptions options, final PrintStream log)
    {
        this.options = options;
        this.log = log;
    }

    public static void main(final String[] args) throws IOException
    {
        final OrderedHarnessOptions options;
        try
        {
            options = OrderedHarnessOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(OrderedHarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help)
        {
            System.out.println(OrderedHarnessOptions.USAGE);
            return;
        }
        new OrderedExecutorHarness(options, System.out).run();
    }

    /**
     * Run every scenario against every contender and write the files.
     *
     * @return the summary file.
     * @throws IOException when the output cannot be written.
     */
    Path run() throws IOException
    {
        Files.createDirectories(options.out);
        log.println("ordered executor harness: " + options);
        // FulcrumExecutorService reports an engine error on a Runnable (say a KeyBacklogFullException) to the
        // thread's uncaught-exception handler, and the task never runs: count them, so a run fails with a reason
        final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) ->
        {
            if (1 == engineErrors.incrementAndGet())
            {
                log.println("engine error on " + thread.getName() + " (first of the run): " + error);
            }
        });
        try
        {
            final double shortNs = measureShortTaskNs();
            final double meanNs = options.meanServiceNs(shortNs);
            final double rate = options.load * options.workers * 1e9 / meanNs;
            log.printf(Locale.ROOT, "short task: asked %d ns, measured %.0f ns; mean task %.0f ns; offered %.0f/s " +
                "(%.0f%% of %d workers)%n", options.shortNs, shortNs, meanNs, rate, 100 * options.load,
                options.workers);
            for (final String scenario : options.scenarios)
            {
                final Schedule schedule = new Schedule(scenario);
                final double hotLoad = schedule.hotShare * rate * meanNs / 1e9;
                log.printf(Locale.ROOT, "%s: key %d takes %.1f%% of tasks, %.2f of one worker%s%n", scenario,
                    HOT_KEY, 100 * schedule.hotShare, hotLoad, hotLoad >= 1 ?
                    ": at or past one worker, its queue grows with the run for every contender" : "");
                final List<Row> scenarioRows = new ArrayList<>();
                for (final String impl : options.impls)
                {
                    try (KeyedContender contender = ExecutorContenders.ordered(impl, options.workers, options.keys))
                    {
                        new OpenLoop(contender, schedule, rate).run(options.warmupMs, false);
                        final OpenLoop loop = new OpenLoop(contender, schedule, rate);
                        loop.run(options.durationMs, true);
                        scenarioRows.addAll(loop.rows(scenario));
                    }
                }
                rows.addAll(scenarioRows);
                compare(scenario, scenarioRows);
            }
            return write();
        }
        finally
        {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    private double measureShortTaskNs()
    {
        final Probe probe = new Probe();
        probe.serviceNs = options.shortNs;
        probe.parkService = true;
        final long startNs = System.nanoTime();
        for (int i = 0; i < CALIBRATION_TASKS; i++)
        {
            BenchTask.INSTANCE.execute(probe);
        }
        return (double)(System.nanoTime() - startNs) / CALIBRATION_TASKS;
    }

    private void compare(final String scenario, final List<Row> scenarioRows)
    {
        final Row base = find(scenarioRows, BASELINE, "all");
        if (null == base)
        {
            return;
        }
        for (final Row row : scenarioRows)
        {
            if (row.impl.equals(BASELINE))
            {
                continue;
            }
            final Row other = find(scenarioRows, BASELINE, row.tasks);
            final String line = String.format(Locale.ROOT,
                "%s, %s tasks: %s / %s: p99 %.2fx (goal <= 0.3x), throughput %.2fx (goal >= 1x)",
                scenario, row.tasks, row.impl, BASELINE,
                (double)row.histogram.getValueAtPercentile(99) / other.histogram.getValueAtPercentile(99),
                row.throughput / other.throughput);
            ratios.add(line);
            log.println(line);
        }
    }

    private static Row find(final List<Row> rows, final String impl, final String tasks)
    {
        for (final Row row : rows)
        {
            if (row.impl.equals(impl) && row.tasks.equals(tasks))
            {
                return row;
            }
        }
        return null;
    }

    private Path write() throws IOException
    {
        for (final Row row : rows)
        {
            final String suffix = "all".equals(row.tasks) ? "" : "-others";
            final Path file = options.out.resolve(row.scenario + "-" + row.impl + suffix + ".hgrm");
            try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
            {
                row.histogram.outputPercentileDistribution(out, 5, SCALE_TO_US);
            }
        }
        final StringBuilder md = new StringBuilder();
        md.append("# Ordered executor harness results\n\n");
        md.append("- date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        md.append("- machine: ").append(Machine.describe()).append('\n');
        md.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ')
            .append(System.getProperty("java.runtime.version")).append('\n');
        md.append("- options: `").append(options).append("`\n");
        md.append("- threads: 1 sender (yields while it waits); fulcrum: workers + 1 balancer, default back-off; ")
            .append("stripes: one thread each, parked in take\n");
        md.append("- latency in microseconds, from the intended start time\n\n");
        md.append(HEADER).append('\n').append(RULE).append('\n');
        for (final Row row : rows)
        {
            md.append(row.line()).append('\n');
        }
        md.append('\n');
        for (final String ratio : ratios)
        {
            md.append("- ").append(ratio).append('\n');
        }
        final Path summary = options.out.resolve("summary.md");
        Files.writeString(summary, md, StandardCharsets.UTF_8);
        log.println("wrote " + rows.size() + " histograms and " + summary);
        return summary;
    }

    /**
     * The keys and task times of a scenario, the same for every contender.
     */
    private final class Schedule
    {
        final int[] keys;
        final double hotShare;

        Schedule(final String scenario)
        {
            keys = new int[KEY_SAMPLES];
            if ("hotkey".equals(scenario))
            {
                hotShare = options.hotShare;
                final int[] others = ZipfKeys.sample(options.keys - 1, options.exponent, KEY_SAMPLES, SEED);
                final SplittableRandom random = new SplittableRandom(SEED + 1);
                for (int i = 0; i < KEY_SAMPLES; i++)
                {
                    keys[i] = random.nextDouble() < hotShare ? HOT_KEY : others[i] + 1;
                }
            }
            else
            {
                hotShare = ZipfKeys.probability(HOT_KEY, options.keys, options.exponent);
                System.arraycopy(
                    ZipfKeys.sample(options.keys, options.exponent, KEY_SAMPLES, SEED), 0, keys, 0, KEY_SAMPLES);
            }
        }
    }

    /**
     * One sender at a fixed rate with a ring of {@code --slots} probes: a slot is reused once its previous task has
     * run, which is then recorded; the rest is drained at the end.
     */
    private final class OpenLoop
    {
        private final KeyedContender contender;
        private final Schedule schedule;
        private final double rate;
        private final double intervalNs;
        private final Probe[] slots;
        private final int[] slotKeys;
        private final int mask;
        private final SplittableRandom random = new SplittableRandom(SEED + 2);
        private final Histogram all = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private final Histogram others = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        private long startNs;
        private long lastCompletedNs;
        private long unsent;
        private boolean recording;

        OpenLoop(final KeyedContender contender, final Schedule schedule, final double rate)
        {
            this.contender = contender;
            this.schedule = schedule;
            this.rate = rate;
            intervalNs = 1e9 / rate;
            slots = new Probe[options.slots];
            slotKeys = new int[options.slots];
            for (int i = 0; i < slots.length; i++)
            {
                slots[i] = new Probe();
                slots[i].reply = Probe.STAMPING_REPLY;
                slots[i].parkService = true;
            }
            mask = slots.length - 1;
        }

        void run(final long ms, final boolean record)
        {
            recording = record;
            final long durationNs = TimeUnit.MILLISECONDS.toNanos(ms);
            startNs = System.nanoTime();
            final long endNs = startNs + durationNs;
            final long hardEndNs = endNs + durationNs;
            final double longShare = options.longPercent / 100;
            final long longNs = options.shortNs * options.longFactor;
            long sent = 0;
            while (sent < options.maxRequests)
            {
                final long intendedNs = startNs + (long)(sent * intervalNs);
                if (intendedNs - endNs >= 0)
                {
                    break;
                }
                long nowNs;
                while ((nowNs = System.nanoTime()) - intendedNs < 0)
                {
                    Thread.yield();
                }
                if (nowNs - hardEndNs >= 0)
                {
                    unsent = (long)(durationNs / intervalNs) - sent;
                    break;
                }
                final int slot = (int)(sent & mask);
                final Probe probe = slots[slot];
                if (sent > mask)
                {
                    reap(probe, slotKeys[slot]);
                }
                final int key = schedule.keys[(int)(sent & (KEY_SAMPLES - 1))];
                probe.serviceNs = random.nextDouble() < longShare ? longNs : options.shortNs;
                probe.input = sent;
                probe.intendedNs = intendedNs;
                probe.reset();
                slotKeys[slot] = key;
                contender.send(key, probe);
                sent++;
            }
            for (long s = Math.max(0, sent - slots.length); s < sent; s++)
            {
                final int slot = (int)(s & mask);
                reap(slots[slot], slotKeys[slot]);
            }
        }

        private void reap(final Probe probe, final int key)
        {
            final long deadlineNs = System.nanoTime() + DRAIN_TIMEOUT_NS;
            while (!probe.isDone())
            {
                if (engineErrors.get() > 0)
                {
                    throw new IllegalStateException(engineErrors.get() + " task(s) answered with an engine error " +
                        "instead of running (see the first, above); they never complete: contender=" +
                        contender.name());
                }
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new IllegalStateException("no task completion within " +
                        TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS) + " s: contender=" + contender.name());
                }
                Thread.yield();
            }
            AbstractCallbackContender.checkFailure(probe);
            if (recording)
            {
                final long ns = Math.min(HIGHEST_TRACKABLE_NS, Math.max(0, probe.completedNs - probe.intendedNs));
                all.recordValue(ns);
                if (HOT_KEY != key)
                {
                    others.recordValue(ns);
                }
                if (probe.completedNs - lastCompletedNs > 0)
                {
                    lastCompletedNs = probe.completedNs;
                }
            }
        }

        List<Row> rows(final String scenario)
        {
            final double seconds = Math.max(1, lastCompletedNs - startNs) / 1e9;
            final String note = unsent > 0 ?
                "OVERLOADED: sender fell a whole duration behind, " + unsent + " tasks never sent" : "";
            final List<Row> list = new ArrayList<>();
            list.add(new Row(scenario, contender.name(), "all", rate, all, all.getTotalCount() / seconds, note));
            if ("hotkey".equals(scenario))
            {
                list.add(new Row(scenario, contender.name(), "others", rate, others,
                    others.getTotalCount() / seconds, note));
            }
            for (final Row row : list)
            {
                log.println(row.line());
            }
            return list;
        }
    }

    /**
     * One histogram with what it was measured on.
     */
    static final class Row
    {
        final String scenario;
        final String impl;
        final String tasks;
        final double offered;
        final Histogram histogram;
        final double throughput;
        final String note;

        Row(final String scenario, final String impl, final String tasks, final double offered,
            final Histogram histogram, final double throughput, final String note)
        {
            this.scenario = scenario;
            this.impl = impl;
            this.tasks = tasks;
            this.offered = offered;
            this.histogram = histogram;
            this.throughput = throughput;
            this.note = note;
        }

        String line()
        {
            return String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %d | %.0f | %s | %s | %s | %s | %s | %s |",
                scenario, impl, "all".equals(tasks) ? "all" : "key != " + HOT_KEY, offered,
                histogram.getTotalCount(), throughput, us(50), us(90), us(99), us(99.9),
                String.format(Locale.ROOT, "%.1f", histogram.getMaxValue() / SCALE_TO_US), note);
        }

        private String us(final double percentile)
        {
            return String.format(Locale.ROOT, "%.1f", histogram.getValueAtPercentile(percentile) / SCALE_TO_US);
        }
    }
}
