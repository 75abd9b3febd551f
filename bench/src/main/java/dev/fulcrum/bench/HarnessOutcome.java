package dev.fulcrum.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * One histogram of {@link LatencyHarness} with what it was measured on, and its row of the summary.
 */
final class HarnessOutcome
{
    static final String HEADER = "| scenario | contender | workers | rate req/s | count | p50 | p90 | p99 | " +
        "p99.9 | p99.99 | max | var(pending) mean | var(pending) max | note |";
    static final String RULE = "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";

    final String scenario;
    final String impl;
    final int workers;
    final double rate;
    final Histogram histogram;
    final long count;
    final PendingVariance variance;
    final String note;

    HarnessOutcome(
        final String scenario,
        final Contender contender,
        final double rate,
        final Histogram histogram,
        final long count,
        final PendingVariance variance,
        final String note)
    {
        this.scenario = scenario;
        this.impl = contender.name();
        this.workers = contender.workers();
        this.rate = rate;
        this.histogram = histogram;
        this.count = count;
        this.variance = variance;
        this.note = note;
    }

    String row()
    {
        final String varMean;
        final String varMax;
        if (null == variance)
        {
            varMean = "";
            varMax = "";
        }
        else if (variance.samples == 0)
        {
            varMean = "n/a (shared queue)";
            varMax = "n/a";
        }
        else
        {
            varMean = String.format(Locale.ROOT, "%.2f", variance.mean());
            varMax = String.format(Locale.ROOT, "%.2f", variance.max);
        }
        return String.format(Locale.ROOT,
            "| %s | %s | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
            scenario, impl, workers, Double.isNaN(rate) ? "" : String.format(Locale.ROOT, "%.0f", rate),
            histogram.getTotalCount(), us(50), us(90), us(99), us(99.9), us(99.99),
            String.format(Locale.ROOT, "%.1f", histogram.getMaxValue() / LatencyHarness.SCALE_TO_US),
            varMean, varMax, note);
    }

    private String us(final double percentile)
    {
        return String.format(Locale.ROOT, "%.1f",
            histogram.getValueAtPercentile(percentile) / LatencyHarness.SCALE_TO_US);
    }
}
