package dev.fulcrum.bench;

/**
 * Running mean and maximum of sampled per-worker pending variances ({@link LatencyHarness}'s balance part).
 */
final class PendingVariance
{
    long samples;
    double sum;
    double max;

    void add(final double value)
    {
        if (Double.isNaN(value))
        {
            return;
        }
        samples++;
        sum += value;
        max = Math.max(max, value);
    }

    double mean()
    {
        return samples == 0 ? Double.NaN : sum / samples;
    }
}
