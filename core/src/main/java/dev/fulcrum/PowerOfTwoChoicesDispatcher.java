package dev.fulcrum;

/**
 * Mitzenmacher's power of two choices, as Finagle and Envoy use it: the less loaded of two workers drawn at random,
 * O(1) per dispatch. Where both draws are full a scan from the first finds one with room, so a request never waits
 * while some worker could take it. A fixed seed makes a run repeatable.
 */
final class PowerOfTwoChoicesDispatcher extends Dispatcher
{
    private long state;

    PowerOfTwoChoicesDispatcher(final int workers, final int maxPending, final long seed)
    {
        super(workers, maxPending);
        state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    @Override
    int select()
    {
        if (!anyRoom())
        {
            return -1;
        }
        final int n = workers();
        if (n == 1)
        {
            return 0;
        }
        final int a = nextInt(n);
        int b = nextInt(n - 1);
        if (b >= a)
        {
            b++;
        }
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
        // hasRoom() already says no for an offline worker
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
