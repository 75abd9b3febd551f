package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;

import java.nio.charset.StandardCharsets;

/**
 * The hottest keys, for the counters file: the {@link Counters#HOT_KEYS} keys with the most requests in flight and
 * those with the most parked, each a counter whose value is the count and whose label names the key
 * ({@code "hot key in flight #1: key=42"}, {@code "... #2: none"}).
 * <p>
 * Owned by the baton holder, like the key table it reads. The table's pooled states are read a slice at a time,
 * {@link #SLICE} states every {@link #SLICE} duty cycles run with the baton (the balancer's own thread keeps the
 * baton, so its idle loops count too; in INVOKER mode only cycles with something to do take it), so no cycle pays
 * for more than one slice however large the table: about one state read per cycle. What a pass over every state
 * found is written at the first slice point after the pass has both read every state and run for
 * {@code interval} cycles ({@code max(4096, pooled states)}); then the next pass starts. Counts are as each state
 * was read, so a pass is a view over its cycles, not an instant; a key whose state was reused within a pass counts
 * once, at its highest. Besides, the first cycle that finds the table empty after a key was shown clears them all
 * at once, so a quiet balancer does not go on showing keys long gone.
 * <p>
 * Allocates nothing: the top lists are arrays, and a label is rewritten, digit by digit into a reused byte array,
 * only when the key at its rank changed.
 */
final class HotKeys
{
    /** States read per slice, and cycles between slices. */
    static final int SLICE = 64;
    private static final int K = Counters.HOT_KEYS;
    private static final int MIN_INTERVAL = 4096;
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
    private final int interval;
    private final int firstId;
    /** Ranks 0..K-1: most in flight; K..2K-1: most parked. What the pass so far found, best first. */
    private final long[] topKeys = new long[2 * K];
    private final int[] topCounts = new int[2 * K];
    /** What the labels say now: the key at each rank, and whether there is one. */
    private final long[] shownKeys = new long[2 * K];
    private final boolean[] shownAny = new boolean[2 * K];
    private final byte[] label = new byte[CountersLayout.MAX_LABEL_LENGTH];
    private int cycles;
    /** The cycle the pass started at. */
    private int passStart;
    /** The next state the pass reads. */
    private int cursor;
    private boolean showing;

    HotKeys(final Counters counters, final KeyTable keys)
    {
        this.counters = counters;
        this.storage = counters.storage();
        this.keys = keys;
        this.firstId = counters.hotKeysFirstId();
        interval = Math.max(MIN_INTERVAL, keys.capacity());
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
     * Baton holder, at the end of each duty cycle: a slice when one is due, the pass's result when it is done.
     */
    void afterCycle()
    {
        final int c = ++cycles;
        if (showing && 0 == keys.size())
        {
            restart();
            publish(); // nothing in flight: every rank to none, now
            passStart = c;
        }
        else if (0 == (c & (SLICE - 1)))
        {
            if (cursor < keys.capacity())
            {
                scan(SLICE);
            }
            else if (c - passStart >= interval)
            {
                publish();
                restart();
                passStart = c;
            }
        }
    }

    /**
     * Baton holder: a whole pass now, written at once (for tests); the next pass starts afresh.
     */
    void sample()
    {
        restart();
        scan(keys.capacity());
        publish();
        restart();
        passStart = cycles;
    }

    private void restart()
    {
        cursor = 0;
        for (int i = 0; i < 2 * K; i++)
        {
            topKeys[i] = 0;
            topCounts[i] = 0;
        }
    }

    private void scan(final int states)
    {
        final int end = Math.min(keys.capacity(), cursor + Math.max(0, states));
        for (int i = cursor; i < end; i++)
        {
            final KeyTable.KeyState state = keys.state(i);
            final int inFlight = state.inFlight;
            if (inFlight > 0)
            {
                insert(0, state.key, inFlight);
                insert(K, state.key, state.parked);
            }
        }
        cursor = end;
    }

    private void publish()
    {
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

    /**
     * Keep {@code key} among the top K of its kind (ranks {@code from} to {@code from + K - 1}) if its count is in;
     * a key already there keeps its higher count.
     */
    private void insert(final int from, final long key, final int count)
    {
        final int last = from + K - 1;
        if (count <= topCounts[last])
        {
            return;
        }
        int i = last;
        for (int j = from; j <= last; j++)
        {
            if (topCounts[j] > 0 && topKeys[j] == key)
            {
                if (count <= topCounts[j])
                {
                    return;
                }
                i = j; // seen before in this pass, lower: move it up from where it is
                break;
            }
        }
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
