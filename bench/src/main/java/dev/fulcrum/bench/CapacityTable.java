package dev.fulcrum.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The balancer capacity results, fork by fork, and what is read from them: dispatches per second (median of the
 * forks, min to max), cost per dispatch, how that cost grows with the worker count (a fit to {@code log2(workers)}
 * against a fit to {@code workers}), as Markdown tables and as a {@link LineChart}.
 * <p>
 * Threading: one thread.
 */
final class CapacityTable
{
    /**
     * One fork of one cell.
     *
     * @param nsPerDispatch      nanoseconds in the timed cycles over the dispatches they made.
     * @param p50NsPerDispatch   the median cycle over the dispatches one cycle makes.
     * @param dispatchesPerCycle dispatches over cycles.
     */
    record Fork(double nsPerDispatch, double p50NsPerDispatch, double dispatchesPerCycle)
    {
    }

    /**
     * How the cost per dispatch grows with the worker count, for one policy, keyed or not.
     *
     * @param nsPerDoubling slope of the least-squares fit {@code ns = a + b log2(workers)}.
     * @param nsPerWorker   slope of the least-squares fit {@code ns = a + c workers}.
     * @param logFitsBetter the log fit's squared error is at most the linear fit's.
     * @param verdict       in words.
     */
    record Growth(double nsPerDoubling, double nsPerWorker, boolean logFitsBetter, String verdict)
    {
    }

    private record Key(String policy, boolean keyed, int workers)
    {
    }

    private final Map<Key, List<Fork>> cells = new LinkedHashMap<>();
    private final List<String> policies = new ArrayList<>();
    private final TreeSet<Integer> workers = new TreeSet<>();

    void add(final int workers, final String policy, final boolean keyed, final Fork fork)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be >= 1: workers=" + workers);
        }
        if (!(fork.nsPerDispatch() > 0))
        {
            throw new IllegalArgumentException("nsPerDispatch must be > 0: nsPerDispatch=" + fork.nsPerDispatch());
        }
        if (!policies.contains(policy))
        {
            policies.add(policy);
        }
        this.workers.add(workers);
        cells.computeIfAbsent(new Key(policy, keyed, workers), k -> new ArrayList<>()).add(fork);
    }

    boolean isEmpty()
    {
        return cells.isEmpty();
    }

    /**
     * @return the forks of one cell, or an empty list.
     */
    List<Fork> forks(final int workers, final String policy, final boolean keyed)
    {
        return cells.getOrDefault(new Key(policy, keyed, workers), List.of());
    }

    /**
     * @return the median over the cell's forks of the cost per dispatch, NaN for an empty cell.
     */
    double medianNs(final int workers, final String policy, final boolean keyed)
    {
        return median(values(forks(workers, policy, keyed), Fork::nsPerDispatch));
    }

    /**
     * @return the growth of the median cost per dispatch over the worker counts measured; null with fewer than 3.
     */
    Growth growth(final String policy, final boolean keyed)
    {
        final List<double[]> points = new ArrayList<>();
        for (final int w : workers)
        {
            final double ns = medianNs(w, policy, keyed);
            if (!Double.isNaN(ns))
            {
                points.add(new double[] {w, ns});
            }
        }
        if (points.size() < 3)
        {
            return null;
        }
        final double[] log = new double[points.size()];
        final double[] lin = new double[points.size()];
        final double[] ns = new double[points.size()];
        for (int i = 0; i < points.size(); i++)
        {
            lin[i] = points.get(i)[0];
            log[i] = Math.log(lin[i]) / Math.log(2);
            ns[i] = points.get(i)[1];
        }
        final double[] logFit = fit(log, ns);
        final double[] linFit = fit(lin, ns);
        final boolean logBetter = logFit[2] <= linFit[2];
        final String verdict;
        if (logFit[1] <= 0)
        {
            verdict = "flat or falling: better than log";
        }
        else if (logBetter)
        {
            verdict = "log or better";
        }
        else
        {
            verdict = "faster than log (the linear fit is closer)";
        }
        return new Growth(logFit[1], linFit[1], logBetter, verdict);
    }

    /**
     * @return least squares {@code y = a + b x}: {a, b, sum of squared residuals}.
     */
    static double[] fit(final double[] x, final double[] y)
    {
        final int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        final double b = sxx == 0 ? 0 : sxy / sxx;
        final double a = my - b * mx;
        double sse = 0;
        for (int i = 0; i < n; i++)
        {
            final double r = y[i] - (a + b * x[i]);
            sse += r * r;
        }
        return new double[] {a, b, sse};
    }

    static double median(final double[] values)
    {
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * @return the tables: dispatches per second, unkeyed then keyed; cost per dispatch with the cycle size; growth.
     */
    String markdown()
    {
        final StringBuilder md = new StringBuilder();
        for (final boolean keyed : new boolean[] {false, true})
        {
            if (!hasAny(keyed))
            {
                continue;
            }
            md.append("\n").append(keyed ? "Keyed (every request its own key)" : "Unkeyed")
                .append(": M dispatches/s, median of the forks (min to max)\n\n");
            header(md);
            for (final int w : workers)
            {
                md.append("| ").append(w).append(" |");
                for (final String p : policies)
                {
                    md.append(' ').append(rate(forks(w, p, keyed))).append(" |");
                }
                md.append('\n');
            }
        }
        for (final boolean keyed : new boolean[] {false, true})
        {
            if (!hasAny(keyed))
            {
                continue;
            }
            md.append("\n").append(keyed ? "Keyed" : "Unkeyed").append(": ns per dispatch, median of the forks: " +
                "over all cycles / from the median cycle (dispatches per cycle)\n\n");
            header(md);
            for (final int w : workers)
            {
                md.append("| ").append(w).append(" |");
                for (final String p : policies)
                {
                    final List<Fork> f = forks(w, p, keyed);
                    md.append(' ').append(f.isEmpty() ? "" : String.format(Locale.ROOT, "%s / %s (%s)",
                        number(median(values(f, Fork::nsPerDispatch))),
                        number(median(values(f, Fork::p50NsPerDispatch))),
                        number(median(values(f, Fork::dispatchesPerCycle))))).append(" |");
                }
                md.append('\n');
            }
        }
        md.append("\nGrowth of the cost per dispatch with the worker count (medians; least squares)\n\n");
        md.append("| policy | keyed | ns, fewest workers | ns, most workers | ns per doubling (log fit) | " +
            "ns per worker (linear fit) | closer fit | verdict |\n|---|---|---:|---:|---:|---:|---|---|\n");
        for (final String p : policies)
        {
            for (final boolean keyed : new boolean[] {false, true})
            {
                final Growth g = growth(p, keyed);
                if (null == g)
                {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", p,
                    keyed ? "yes" : "no", number(medianNs(workers.first(), p, keyed)),
                    number(medianNs(workers.last(), p, keyed)), number(g.nsPerDoubling()), number(g.nsPerWorker()),
                    g.logFitsBetter() ? "log" : "linear", g.verdict()));
            }
        }
        return md.toString();
    }

    /**
     * @return cost per dispatch against log2(workers), one line per policy: solid unkeyed, dashed keyed, each point
     * with its forks' min to max.
     */
    String svg(final String title)
    {
        final List<LineChart.Tick> ticks = new ArrayList<>();
        for (final int w : workers)
        {
            ticks.add(new LineChart.Tick(Math.log(w) / Math.log(2), Integer.toString(w)));
        }
        if (ticks.size() == 1)
        {
            ticks.add(new LineChart.Tick(ticks.get(0).x() + 1, ""));
        }
        final List<LineChart.Series> series = new ArrayList<>();
        for (int p = 0; p < policies.size(); p++)
        {
            for (final boolean keyed : new boolean[] {false, true})
            {
                if (!hasAny(policies.get(p), keyed))
                {
                    continue;
                }
                final int n = workers.size();
                final double[] x = new double[n];
                final double[] y = new double[n];
                final double[] lo = new double[n];
                final double[] hi = new double[n];
                int i = 0;
                for (final int w : workers)
                {
                    final double[] ns = values(forks(w, policies.get(p), keyed), Fork::nsPerDispatch);
                    x[i] = Math.log(w) / Math.log(2);
                    y[i] = median(ns);
                    lo[i] = ns.length == 0 ? Double.NaN : Arrays.stream(ns).min().getAsDouble();
                    hi[i] = ns.length == 0 ? Double.NaN : Arrays.stream(ns).max().getAsDouble();
                    i++;
                }
                series.add(new LineChart.Series(policies.get(p) + (keyed ? ", keyed" : ""), p, keyed, x, y, lo, hi));
            }
        }
        return LineChart.svg(title, "workers (log2 scale)", "ns per dispatch (balancer thread)", ticks, series);
    }

    private void header(final StringBuilder md)
    {
        md.append("| workers |");
        for (final String p : policies)
        {
            md.append(' ').append(p).append(" |");
        }
        md.append("\n|---:|");
        md.append("---:|".repeat(policies.size()));
        md.append('\n');
    }

    private boolean hasAny(final boolean keyed)
    {
        for (final String p : policies)
        {
            if (hasAny(p, keyed))
            {
                return true;
            }
        }
        return false;
    }

    private boolean hasAny(final String policy, final boolean keyed)
    {
        for (final int w : workers)
        {
            if (!forks(w, policy, keyed).isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    private static String rate(final List<Fork> forks)
    {
        if (forks.isEmpty())
        {
            return "";
        }
        final double[] ns = values(forks, Fork::nsPerDispatch);
        final double max = Arrays.stream(ns).max().getAsDouble();
        final double min = Arrays.stream(ns).min().getAsDouble();
        return forks.size() == 1 ? number(1_000 / ns[0]) : String.format(Locale.ROOT, "%s (%s to %s)",
            number(1_000 / median(ns)), number(1_000 / max), number(1_000 / min));
    }

    private static double[] values(final List<Fork> forks, final java.util.function.ToDoubleFunction<Fork> f)
    {
        return forks.stream().mapToDouble(f).toArray();
    }

    /**
     * @return three significant figures, no exponent; thousands separated.
     */
    static String number(final double v)
    {
        if (Double.isNaN(v))
        {
            return "";
        }
        final double a = Math.abs(v);
        if (a >= 100)
        {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10)
        {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
