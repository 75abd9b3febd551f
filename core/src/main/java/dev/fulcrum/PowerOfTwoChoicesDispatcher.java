package dev.fulcrum;

/**
 * Mitzenmacher's power of two choices, as Finagle and Envoy use it: the less loaded of two workers drawn at random,
 * O(1) per dispatch. Where both draws are full a scan from the first finds one with room, so a request never waits
 * while some worker could take it. A fixed seed makes a run repeatable.
 */
final class PowerOfTwoChoicesDispatcher extends Dispatcher
{
    private long state;
    /** The online workers, densely, so that draws never land on a gone or stalled slot; and each one's index. */
    private final int[] online;
    private final int[] positions;
    private int onlineCount;

    PowerOfTwoChoicesDispatcher(final int workers, final int maxPending, final long seed)
    {
        super(workers, maxPending);
        state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        online = new int[workers];
        positions = new int[workers];
        for (int w = 0; w < workers; w++)
        {
            online[w] = w;
            positions[w] = w;
        }
        onlineCount = workers;
    }

    @Override
    int select()
    {
        if (!anyRoom())
        {
            return -1;
        }
        final int n = onlineCount;
        if (n == 1)
        {
            return online[0];
        }
        final int i = nextInt(n);
        int j = nextInt(n - 1);
        if (j >= i)
        {
            j++;
        }
        final int a = online[i];
        final int b = online[j];
        final boolean roomA = hasRoom(a);
        final boolean roomB = hasRoom(b);
        if (roomA && roomB)
        {
            return pending[b] < pending[a] ? b : a;
        }
        if (roomA)
        {
            return a;
        }
        if (roomB)
        {
            return b;
        }
        return firstWithRoomFrom(a);
    }

    @Override
    void increased(final int worker)
    {
    }

    @Override
    void decreased(final int worker)
    {
    }

    @Override
    void offlineChanged(final int worker, final boolean offline)
    {
        if (offline)
        {
            final int at = positions[worker];
            final int last = online[--onlineCount];
            online[at] = last;
            positions[last] = at;
            online[onlineCount] = worker;
            positions[worker] = onlineCount;
        }
        else
        {
            final int at = positions[worker];
            final int first = online[onlineCount];
            online[at] = first;
            positions[first] = at;
            online[onlineCount] = worker;
            positions[worker] = onlineCount++;
        }
    }

    private int nextInt(final int bound)
    {
        // xorshift64*: no allocation, no shared state, good enough to spread load
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return (int)(((x * 0x2545F4914F6CDD1DL) >>> 33) % bound);
    }
}
