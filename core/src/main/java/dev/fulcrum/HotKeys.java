package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;
import org.agrona.collections.LongObjConsumer;

import java.nio.charset.StandardCharsets;

/**
 * The hottest keys, for the counters file: the {@link Counters#HOT_KEYS} keys with the most requests in flight and
 * those with the most parked, each a counter whose value is the count and whose label names the key
 * ({@code "hot key in flight #1: key=42"}, {@code "... #2: none"}).
 * <p>
 * Owned by the baton holder, like the key table it reads. It looks at the table every {@code interval} duty
 * cycles run with the baton (the balancer's own thread keeps the baton, so its idle loops count too; in INVOKER
 * mode only cycles with something to do take it), where {@code interval} is a power of 2 no smaller than 4,096 and
 * no smaller than the table's capacity (a scan reads up to every slot, so this keeps it to about one slot read per
 * cycle), and once more on the first cycle that finds the table empty after it showed a key, so a quiet balancer
 * does not go on showing keys that are long gone. Between looks the counters are as last written. A look
 * allocates nothing: the scan is a {@link LongObjConsumer} (this), the top lists are arrays, and a label is
 * rewritten, digit by digit into a reused byte array, only when the key at its rank changed.
 */
final class HotKeys implements LongObjConsumer<KeyTable.KeyState>
{
    private static final int K = Counters.HOT_KEYS;
    private static final int MIN_INTERVAL = 4096;
    private static final long NONE = Long.MIN_VALUE; // (a key may be any long; "none" is told by the count, 0)
    private static final byte[][] PREFIXES = new byte[2 * K][];
    private static final byte[] NONE_BYTES = "none".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_BYTES = "key=".getBytes(StandardCharsets.US_ASCII);

    static
    {
        for (int r = 0; r < K; r++)
        {
            PREFIXES[r] = prefix(true, r).getBytes(StandardCharsets.US_ASCII);
            PREFIXES[K + r] = prefix(false, r).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final Counters counters;
    private final CountersStorage storage;
    private final KeyTable keys;
    private final int intervalMask;
    private final int firstId;
    /** Ranks 0..K-1: most in flight; K..2K-1: most parked. What this look found, best first. */
    private final long[] topKeys = new long[2 * K];
    private final int[] topCounts = new int[2 * K];
    /** What the labels say now: the key at each rank, and whether there is one. */
    private final long[] shownKeys = new long[2 * K];
    private final boolean[] shownAny = new boolean[2 * K];
    private final byte[] label = new byte[CountersLayout.MAX_LABEL_LENGTH];
    private int cycles;
    private boolean showing;

    HotKeys(final Counters counters, final KeyTable keys)
    {
        this.counters = counters;
        this.storage = counters.storage();
        this.keys = keys;
        this.firstId = counters.hotKeysFirstId();
        final int capacity = Math.max(MIN_INTERVAL, keys.capacity());
        intervalMask = (Integer.highestOneBit(capacity - 1) << 1) - 1;
    }

    /**
     * @return the label a hot-key counter starts with: {@code "hot key in flight #1: none"}.
     */
    static String label(final boolean inFlight, final int rank)
    {
        return prefix(inFlight, rank) + "none";
    }

    private static String prefix(final boolean inFlight, final int rank)
    {
        return "hot key " + (inFlight ? "in flight" : "parked") + " #" + (rank + 1) + ": ";
    }

    /**
     * Baton holder, at the end of each duty cycle: look at the key table when it is time.
     */
    void afterCycle()
    {
        if (0 == (++cycles & intervalMask) || (showing && 0 == keys.size()))
        {
            sample();
        }
    }

    /**
     * Baton holder: scan the key table now and write what it found.
     */
    void sample()
    {
        for (int i = 0; i < 2 * K; i++)
        {
            topKeys[i] = NONE;
            topCounts[i] = 0;
        }
        if (keys.size() > 0)
        {
            keys.forEach(this);
        }
        showing = false;
        for (int i = 0; i < 2 * K; i++)
        {
            final boolean any = topCounts[i] > 0;
            showing |= any;
            if (any != shownAny[i] || (any && topKeys[i] != shownKeys[i]))
            {
                relabel(i, any, topKeys[i]);
                shownAny[i] = any;
                shownKeys[i] = topKeys[i];
            }
            counters.hotKey(i, topCounts[i]);
        }
    }

    @Override
    public void accept(final long key, final KeyTable.KeyState state)
    {
        insert(0, key, state.inFlight);
        insert(K, key, state.parked);
    }

    /**
     * Keep {@code key} among the top K of its kind (ranks {@code from} to {@code from + K - 1}) if its count is in.
     */
    private void insert(final int from, final long key, final int count)
    {
        if (count <= topCounts[from + K - 1])
        {
            return;
        }
        int i = from + K - 1;
        while (i > from && topCounts[i - 1] < count)
        {
            topCounts[i] = topCounts[i - 1];
            topKeys[i] = topKeys[i - 1];
            i--;
        }
        topCounts[i] = count;
        topKeys[i] = key;
    }

    private void relabel(final int rank, final boolean any, final long key)
    {
        final byte[] prefix = PREFIXES[rank];
        System.arraycopy(prefix, 0, label, 0, prefix.length);
        int n = prefix.length;
        if (any)
        {
            System.arraycopy(KEY_BYTES, 0, label, n, KEY_BYTES.length);
            n = putDecimal(label, n + KEY_BYTES.length, key);
        }
        else
        {
            System.arraycopy(NONE_BYTES, 0, label, n, NONE_BYTES.length);
            n += NONE_BYTES.length;
        }
        storage.relabel(firstId + rank, any ? key : 0, label, n);
    }

    /**
     * Write {@code value} in decimal at {@code at}, allocating nothing.
     *
     * @return the index after the last digit.
     */
    static int putDecimal(final byte[] into, final int at, final long value)
    {
        int n = at;
        if (value < 0)
        {
            into[n++] = '-';
        }
        // work in negatives, which hold Long.MIN_VALUE
        long v = value < 0 ? value : -value;
        final int first = n;
        do
        {
            into[n++] = (byte)('0' - (v % 10));
            v /= 10;
        }
        while (v != 0);
        for (int i = first, j = n - 1; i < j; i++, j--)
        {
            final byte t = into[i];
            into[i] = into[j];
            into[j] = t;
        }
        return n;
    }
}
