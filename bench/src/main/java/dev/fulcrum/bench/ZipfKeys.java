package dev.fulcrum.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Skewed keys for keyed benchmarks, sampled up front so that drawing a key in a measured loop is one array read.
 * Zipf-like: key {@code k} (0-based rank, 0 the hottest) is drawn with probability proportional to
 * {@code 1 / (k + 1)^exponent}. With exponent 1.0 over 1,000 keys, key 0 takes about 13.4% of the requests, the
 * ten hottest about 39%, and the coldest about 0.013% each.
 */
final class ZipfKeys
{
    private ZipfKeys()
    {
    }

    /**
     * @param keys     how many distinct keys, {@code 0..keys-1}; at least 1.
     * @param exponent skew; 0 is uniform, 1.0 the classic Zipf; not negative.
     * @param count    how many keys to draw; at least 1.
     * @param seed     of the random source, so that a run can be repeated.
     * @return {@code count} keys, each in {@code [0, keys)}.
     * @throws IllegalArgumentException on an argument out of range.
     */
    static int[] sample(final int keys, final double exponent, final int count, final long seed)
    {
        if (keys < 1)
        {
            throw new IllegalArgumentException("keys must be >= 1: keys=" + keys);
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent))
        {
            throw new IllegalArgumentException("exponent must be finite and >= 0: exponent=" + exponent);
        }
        if (count < 1)
        {
            throw new IllegalArgumentException("count must be >= 1: count=" + count);
        }

        final double[] cumulative = new double[keys];
        double total = 0;
        for (int k = 0; k < keys; k++)
        {
            total += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = total;
        }

        final SplittableRandom random = new SplittableRandom(seed);
        final int[] sampled = new int[count];
        for (int i = 0; i < count; i++)
        {
            // the first key whose cumulative weight exceeds u
            final double u = random.nextDouble() * total;
            final int found = Arrays.binarySearch(cumulative, u);
            final int key = found >= 0 ? found + 1 : -found - 1;
            sampled[i] = Math.min(key, keys - 1);
        }
        return sampled;
    }

    /**
     * @return the probability of drawing {@code key}, as {@link #sample} draws it.
     */
    static double probability(final int key, final int keys, final double exponent)
    {
        double total = 0;
        for (int k = 0; k < keys; k++)
        {
            total += 1.0 / Math.pow(k + 1, exponent);
        }
        return 1.0 / Math.pow(key + 1, exponent) / total;
    }
}
