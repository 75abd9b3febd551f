package dev.fulcrum;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongObjConsumer;

/**
 * The keys with requests in flight (dispatched, parked or held) and where each is bound; a key with none is
 * forgotten. Sized to the job pool (a key in flight holds at least one job) with pooled states, so steady state
 * allocates nothing. Owned by the balancer's baton holder.
 */
final class KeyTable
{
    private final Long2ObjectHashMap<KeyState> keys;
    private final KeyState[] free;
    private int freeCount;

    KeyTable(final int capacity)
    {
        keys = new Long2ObjectHashMap<>(Math.max(8, capacity * 2), 0.65f);
        free = new KeyState[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = new KeyState();
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
     * @return slots of the table, which a {@link #forEach} scan reads.
     */
    int capacity()
    {
        return keys.capacity();
    }

    /**
     * Every busy key and its state, allocating nothing (the consumer is the caller's, reused).
     */
    void forEach(final LongObjConsumer<KeyState> consumer)
    {
        keys.forEachLong(consumer);
    }

    /**
     * Where a busy key's requests go and how many of them are in flight (dispatched, parked or held) and parked.
     */
    static final class KeyState
    {
        int worker = -1;
        int inFlight;
        int parked;
        /** While a stall is being handled: the key has a request its stalled worker has taken, so it stays. */
        boolean pinned;
        /** While a stall is being handled: where the key moves, or -1. */
        int movedTo = -1;
    }
}
