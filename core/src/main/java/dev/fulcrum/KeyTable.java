package dev.fulcrum;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The keys with requests in flight (dispatched, parked or held) and where each is bound; a key with none is
 * forgotten. Sized to the job pool (a key in flight holds at least one job) with pooled states, so steady state
 * allocates nothing. Owned by the balancer's baton holder.
 */
final class KeyTable
{
    private final Long2ObjectHashMap<KeyState> keys;
    private final KeyState[] free;
    /** Every pooled state, free or not, for a scan that reads a few at a time ({@link HotKeys}). */
    private final KeyState[] all;
    private int freeCount;

    KeyTable(final int capacity)
    {
        keys = new Long2ObjectHashMap<>(Math.max(8, capacity * 2), 0.65f);
        free = new KeyState[capacity];
        all = new KeyState[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = new KeyState();
            all[i] = free[i];
        }
        freeCount = capacity;
    }

    KeyState get(final long key)
    {
        return keys.get(key);
    }

    /**
     * @return the new state of {@code key}, bound to {@code worker}, with one request in flight.
     */
    KeyState add(final long key, final int worker)
    {
        final KeyState state = free[--freeCount];
        free[freeCount] = null;
        state.key = key;
        state.worker = worker;
        state.inFlight = 1;
        keys.put(key, state);
        return state;
    }

    void remove(final long key, final KeyState state)
    {
        keys.remove(key);
        state.worker = -1;
        state.inFlight = 0;
        state.parked = 0;
        free[freeCount++] = state;
    }

    int size()
    {
        return keys.size();
    }

    /**
     * @return pooled states, busy or free: the indexes of {@link #state(int)}.
     */
    int capacity()
    {
        return all.length;
    }

    /**
     * @return pooled state {@code index}: busy when its {@code inFlight} is above 0 (a free one has 0 in flight and
     * 0 parked), its key in {@code key}.
     */
    KeyState state(final int index)
    {
        return all[index];
    }

    /**
     * Where a busy key's requests go and how many of them are in flight (dispatched, parked or held) and parked.
     */
    static final class KeyState
    {
        /** The key this state is for while busy (kept for scans that walk the pooled states). */
        long key;
        int worker = -1;
        int inFlight;
        int parked;
        /** While a stall is being handled: the key has a request its stalled worker has taken, so it stays. */
        boolean pinned;
        /** While a stall is being handled: where the key moves, or -1. */
        int movedTo = -1;
    }
}
