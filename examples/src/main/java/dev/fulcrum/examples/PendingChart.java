package dev.fulcrum.examples;

import java.util.List;
import java.util.Locale;

/**
 * The chart of {@link PikeDemo}: one panel per policy, one line per worker's pending count over the measured phase,
 * and their mean as a dashed line. Plain SVG written by hand, so the examples need no plotting library; every
 * panel shares one vertical scale so that the spread of the lines compares across policies.
 */
final class PendingChart
{
    private static final String[] PALETTE = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    private static final int WIDTH = 960;
    private static final int LEFT = 56;
    private static final int RIGHT = 110;
    private static final int TOP = 56;
    private static final int PANEL_HEIGHT = 170;
    private static final int PANEL_GAP = 52;

    private PendingChart()
    {
    }

    static String svg(final List<PikeDemo.PolicyResult> results, final PikeOptions options)
    {
        long maxPending = 1;
        for (final PikeDemo.PolicyResult r : results)
        {
            for (final long[] row : r.pendingSamples())
            {
                for (final long p : row)
                {
                    maxPending = Math.max(maxPending, p);
                }
            }
        }
        final long yStep = Math.max(1, (long)niceStep(maxPending / 4.0));
        final long yMax = yStep * ((maxPending + yStep - 1) / yStep);
        double xMaxMs = Math.max(1, options.durationMs());
        for (final PikeDemo.PolicyResult r : results)
        {
            for (final double t : r.sampleTimesMs())
            {
                xMaxMs = Math.max(xMaxMs, t); // a late sample (the sampler was descheduled) still fits
            }
        }
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int height = TOP + results.size() * (PANEL_HEIGHT + PANEL_GAP) + 10;

        final StringBuilder svg = new StringBuilder(64 * 1024);
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Pending requests per worker over time: " +
            "%d requesters, %d workers, sampled every %d ms</text>%n",
            LEFT, options.requesters(), options.workers(), options.sampleMs()));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"40\" fill=\"#444\">%s</text>%n", LEFT, escape(subtitle(options))));

        for (int i = 0; i < results.size(); i++)
        {
            final PikeDemo.PolicyResult r = results.get(i);
            final int top = TOP + i * (PANEL_HEIGHT + PANEL_GAP) + 18;
            panel(svg, r, top, plotWidth, yMax, yStep, xMaxMs);
        }

        legend(svg, options.workers());
        return svg.append("</svg>\n").toString();
    }

    private static void panel(
        final StringBuilder svg,
        final PikeDemo.PolicyResult r,
        final int top,
        final int plotWidth,
        final long yMax,
        final long yStep,
        final double xMaxMs)
    {
        final int bottom = top + PANEL_HEIGHT;
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>" +
            "<text x=\"%d\" y=\"%d\" fill=\"#444\">mean pending %.2f, variance %.2f, completion p50 %.2f ms, " +
            "p99 %.2f ms, %.0f requests/s</text>%n",
            LEFT, top - 8, r.policy(), LEFT + 8 + 8 * r.policy().length(), top - 8,
            r.meanPending(), r.variancePending(),
            r.completionTimes().getValueAtPercentile(50) / 1e6, r.completionTimes().getValueAtPercentile(99) / 1e6,
            r.requestsPerSecond()));

        // grid and axes
        for (long value = 0; value <= yMax; value += yStep)
        {
            final double y = bottom - PANEL_HEIGHT * (double)value / yMax;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>" +
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444\">%d</text>%n",
                LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, value));
        }
        final double stepMs = niceStep(xMaxMs / 6);
        for (double t = 0; t <= xMaxMs + 1e-9; t += stepMs)
        {
            final double x = LEFT + plotWidth * t / xMaxMs;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>" +
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#444\">%s s</text>%n",
                x, bottom, x, bottom + 4, x, bottom + 17, seconds(t)));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            LEFT, top, plotWidth, PANEL_HEIGHT));
        svg.append(String.format(Locale.ROOT,
            "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">pending</text>%n",
            LEFT - 38, top + PANEL_HEIGHT / 2));

        final double[] timesMs = r.sampleTimesMs();
        final long[][] pending = r.pendingSamples();
        if (timesMs.length == 0)
        {
            return;
        }
        final int workers = pending[0].length;
        for (int w = 0; w < workers; w++)
        {
            svg.append("<polyline fill=\"none\" stroke-width=\"1.2\" stroke-opacity=\"0.85\" stroke=\"")
                .append(PALETTE[w % PALETTE.length]).append("\" points=\"");
            for (int s = 0; s < timesMs.length; s++)
            {
                point(svg, timesMs[s], pending[s][w], top, plotWidth, yMax, xMaxMs);
            }
            svg.append("\"/>\n");
        }
        svg.append("<polyline fill=\"none\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"6 3\" points=\"");
        for (int s = 0; s < timesMs.length; s++)
        {
            long sum = 0;
            for (final long p : pending[s])
            {
                sum += p;
            }
            point(svg, timesMs[s], (double)sum / workers, top, plotWidth, yMax, xMaxMs);
        }
        svg.append("\"/>\n");
    }

    private static void point(
        final StringBuilder svg,
        final double atMs,
        final double value,
        final int top,
        final int plotWidth,
        final long yMax,
        final double xMaxMs)
    {
        final double x = LEFT + plotWidth * Math.min(1, Math.max(0, atMs / xMaxMs));
        final double y = top + PANEL_HEIGHT * (1 - value / yMax);
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }

    private static void legend(final StringBuilder svg, final int workers)
    {
        final int x = WIDTH - RIGHT + 16;
        int y = TOP + 30;
        for (int w = 0; w < workers && w < 24; w++)
        {
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>" +
                "<text x=\"%d\" y=\"%d\">worker %d</text>%n",
                x, y - 4, x + 18, y - 4, PALETTE[w % PALETTE.length], x + 24, y, w));
            y += 16;
        }
        svg.append(String.format(Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\" stroke-width=\"2\" " +
            "stroke-dasharray=\"6 3\"/><text x=\"%d\" y=\"%d\">mean</text>%n",
            x, y - 4, x + 18, y - 4, x + 24, y));
    }

    /**
     * @return 1, 2 or 5 times a power of ten, at least {@code rough}.
     */
    private static double niceStep(final double rough)
    {
        if (rough <= 0)
        {
            return 1;
        }
        final double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (final double m : new double[] {1, 2, 5})
        {
            if (m * power >= rough)
            {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String seconds(final double ms)
    {
        final String text = String.format(Locale.ROOT, "%.3f", ms / 1000);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String subtitle(final PikeOptions options)
    {
        return String.format(Locale.ROOT, "think %s, work %s (%s), %s; Java %s, %d processors",
            PikeDemo.uniform(options.thinkMeanUs()), PikeDemo.uniform(options.workMeanUs()),
            options.work().name().toLowerCase(Locale.ROOT), options.binding(),
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }
}
