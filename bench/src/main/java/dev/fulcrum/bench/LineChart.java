package dev.fulcrum.bench;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart: one polyline per series over shared x ticks, each point with a bar from its low to
 * its high value (the spread over forks), a linear y axis from 0, and a legend. The colours and the escaping are
 * {@link PercentileChart}'s, so the bench's charts look alike.
 */
final class LineChart
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 260;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    /**
     * One line.
     *
     * @param name   in the legend.
     * @param colour index into the palette.
     * @param dashed drawn dashed.
     * @param x      x of each point.
     * @param y      y of each point; NaN leaves the point out.
     * @param low    bottom of each point's bar (NaN: no bar).
     * @param high   top of each point's bar (NaN: no bar).
     */
    record Series(String name, int colour, boolean dashed, double[] x, double[] y, double[] low, double[] high)
    {
        Series
        {
            if (x.length != y.length || x.length != low.length || x.length != high.length)
            {
                throw new IllegalArgumentException("x, y, low and high must be as long as each other: series=" +
                    name + ", x=" + x.length + ", y=" + y.length + ", low=" + low.length + ", high=" + high.length);
            }
        }
    }

    /**
     * An x tick.
     *
     * @param x     where.
     * @param label what it says.
     */
    record Tick(double x, String label)
    {
    }

    private LineChart()
    {
    }

    /**
     * @param title  above the plot.
     * @param xLabel under the x axis.
     * @param yLabel beside the y axis.
     * @param ticks  the x ticks, in increasing x; the first and last bound the plot.
     * @param series the lines, in legend order.
     * @return the SVG document.
     */
    static String svg(
        final String title,
        final String xLabel,
        final String yLabel,
        final List<Tick> ticks,
        final List<Series> series)
    {
        if (ticks.size() < 2)
        {
            throw new IllegalArgumentException("at least 2 x ticks: ticks=" + ticks.size());
        }
        final double xLo = ticks.get(0).x();
        final double xHi = ticks.get(ticks.size() - 1).x();
        double yMax = 0;
        for (final Series s : series)
        {
            for (int i = 0; i < s.y().length; i++)
            {
                yMax = max(yMax, s.y()[i]);
                yMax = max(yMax, s.high()[i]);
            }
        }
        final double step = niceStep(yMax > 0 ? yMax : 1);
        final double yHi = step * Math.ceil((yMax > 0 ? yMax : 1) / step);
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;

        final StringBuilder svg = new StringBuilder(32 * 1024);
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT,
            PercentileChart.escape(title)));

        for (final Tick tick : ticks)
        {
            final double x = LEFT + plotW * (tick.x() - xLo) / (xHi - xLo);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotH + 18, PercentileChart.escape(tick.label())));
        }
        for (double v = 0; v <= yHi + step / 2; v += step)
        {
            final double y = TOP + plotH - plotH * v / yHi;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, format(v)));
        }
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
            LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotW / 2, HEIGHT - 15, PercentileChart.escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">%s</text>%n",
            TOP + plotH / 2, TOP + plotH / 2, PercentileChart.escape(yLabel)));

        for (int n = 0; n < series.size(); n++)
        {
            final Series s = series.get(n);
            final String colour = PercentileChart.COLOURS[s.colour() % PercentileChart.COLOURS.length];
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colour).append('"')
                .append(s.dashed() ? " stroke-dasharray=\"6,4\"" : "").append(" points=\"");
            for (int i = 0; i < s.x().length; i++)
            {
                if (!Double.isNaN(s.y()[i]))
                {
                    svg.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                        LEFT + plotW * (s.x()[i] - xLo) / (xHi - xLo), TOP + plotH - plotH * s.y()[i] / yHi));
                }
            }
            svg.append("\"/>\n");
            for (int i = 0; i < s.x().length; i++)
            {
                if (!Double.isNaN(s.low()[i]) && !Double.isNaN(s.high()[i]))
                {
                    final double x = LEFT + plotW * (s.x()[i] - xLo) / (xHi - xLo);
                    svg.append(String.format(Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n", x,
                        TOP + plotH - plotH * s.low()[i] / yHi, x, TOP + plotH - plotH * s.high()[i] / yHi, colour));
                }
            }
            final int ly = TOP + 10 + 20 * n;
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>%n",
                LEFT + plotW + 12, ly, LEFT + plotW + 36, ly, colour, s.dashed() ? " stroke-dasharray=\"6,4\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT + plotW + 42, ly + 4, PercentileChart.escape(s.name())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double max(final double a, final double b)
    {
        return Double.isNaN(b) ? a : Math.max(a, b);
    }

    /**
     * @return 1, 2 or 5 times a power of 10, so that about 5 to 10 steps cover {@code max}.
     */
    static double niceStep(final double max)
    {
        final double raw = max / 6;
        final double decade = Math.pow(10, Math.floor(Math.log10(raw)));
        final double f = raw / decade;
        return decade * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
    }

    private static String format(final double v)
    {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
    }
}
