package dev.fulcrum.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Draws latency-by-percentile curves, one per contender, as a hand-written SVG in the style of HdrHistogram's
 * plotter: x is the percentile on a log scale of {@code 1 / (1 - p)} (0%, 90%, 99%, 99.9%, ...), y the latency in
 * microseconds on a log scale.
 */
final class PercentileChart
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int MAX_NINES = 5;
    private static final int POINTS = 250;
    static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private PercentileChart()
    {
    }

    /**
     * @param file       to write.
     * @param title      shown above the plot.
     * @param histograms latency in nanoseconds, by contender name, in legend order; empty ones are skipped.
     * @throws IOException when the file cannot be written.
     */
    static void write(final Path file, final String title, final Map<String, Histogram> histograms)
        throws IOException
    {
        double minUs = Double.MAX_VALUE;
        double maxUs = 0;
        double maxNines = 1;
        for (final Histogram h : histograms.values())
        {
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            minUs = Math.min(minUs, Math.max(0.01, h.getMinValue() / 1000.0));
            maxUs = Math.max(maxUs, h.getMaxValue() / 1000.0);
            maxNines = Math.max(maxNines, Math.min(MAX_NINES, Math.log10(h.getTotalCount())));
        }
        if (maxUs == 0)
        {
            minUs = 0.1;
            maxUs = 1;
        }
        final double yLo = Math.floor(Math.log10(minUs));
        final double yHi = Math.max(yLo + 1, Math.ceil(Math.log10(maxUs)));
        final double xHi = Math.ceil(maxNines);
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;

        final StringBuilder svg = new StringBuilder(64 * 1024);
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));

        for (int nines = 0; nines <= (int)xHi; nines++)
        {
            final double x = LEFT + plotW * nines / xHi;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotH));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP + plotH + 18,
                percentileLabel(nines)));
        }
        for (int decade = (int)yLo; decade <= (int)yHi; decade++)
        {
            final double y = TOP + plotH - plotH * (decade - yLo) / (yHi - yLo);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, usLabel(decade)));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
            LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n", LEFT + plotW / 2, HEIGHT - 15));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">latency (us)</text>%n",
            TOP + plotH / 2, TOP + plotH / 2));

        int series = 0;
        for (final Map.Entry<String, Histogram> entry : histograms.entrySet())
        {
            final Histogram h = entry.getValue();
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            final String colour = COLOURS[series % COLOURS.length];
            final double lastNines = Math.min(xHi, Math.log10(h.getTotalCount()));
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append("\" points=\"");
            for (int i = 0; i <= POINTS; i++)
            {
                final double nines = lastNines * i / POINTS;
                final double percentile = 100.0 * (1.0 - Math.pow(10, -nines));
                final double us = Math.max(Math.pow(10, yLo), h.getValueAtPercentile(percentile) / 1000.0);
                final double x = LEFT + plotW * nines / xHi;
                final double y = TOP + plotH - plotH * (Math.log10(us) - yLo) / (yHi - yLo);
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("\"/>\n");
            final int ly = TOP + 10 + 20 * series;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                LEFT + plotW + 12, ly, LEFT + plotW + 36, ly, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT + plotW + 42, ly + 4, escape(entry.getKey())));
            series++;
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    private static String percentileLabel(final int nines)
    {
        switch (nines)
        {
            case 0:
                return "0%";
            case 1:
                return "90%";
            case 2:
                return "99%";
            default:
                return "99." + "9".repeat(nines - 2) + "%";
        }
    }

    private static String usLabel(final int decade)
    {
        final double value = Math.pow(10, decade);
        return decade >= 0 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%s", value);
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
