package dev.fulcrum;

/**
 * An array-based binary min-heap of the ids {@code 0..n-1}, ordered by an external key array and then by id (so
 * ties break the same way every time), with an index from id to heap position so that an id whose key changed is
 * sifted in O(log n) without a search. Pike's balancer keeps its workers in such a heap ordered by pending work.
 * <p>
 * Not thread-safe: owned by the balancer thread.
 */
final class IndexedMinHeap
{
    private final int[] keys;
    private final int[] heap;
    private final int[] position;

    /**
     * @param keys one key per id; read, never written. All ids start in the heap.
     */
    IndexedMinHeap(final int[] keys)
    {
        this.keys = keys;
        final int n = keys.length;
        heap = new int[n];
        position = new int[n];
        for (int i = 0; i < n; i++)
        {
            heap[i] = i;
            position[i] = i;
        }
        for (int i = (n >>> 1) - 1; i >= 0; i--)
        {
            siftDown(i);
        }
    }

    /**
     * @return the id with the smallest key, the lowest id among equals.
     */
    int peek()
    {
        return heap[0];
    }

    /**
     * The key of {@code id} went up: restore the order.
     *
     * @param id whose key increased.
     */
    void increased(final int id)
    {
        siftDown(position[id]);
    }

    /**
     * The key of {@code id} went down: restore the order.
     *
     * @param id whose key decreased.
     */
    void decreased(final int id)
    {
        siftUp(position[id]);
    }

    /**
     * For tests: every parent orders before its children and the index agrees with the array.
     *
     * @return true when the invariant holds.
     */
    boolean isValid()
    {
        for (int pos = 0; pos < heap.length; pos++)
        {
            if (position[heap[pos]] != pos)
            {
                return false;
            }
            if (pos > 0 && less(heap[pos], heap[(pos - 1) >>> 1]))
            {
                return false;
            }
        }
        return true;
    }

    private boolean less(final int a, final int b)
    {
        final int ka = keys[a];
        final int kb = keys[b];
        return ka < kb || (ka == kb && a < b);
    }

    private void siftUp(final int start)
    {
        int pos = start;
        final int id = heap[pos];
        while (pos > 0)
        {
            final int parentPos = (pos - 1) >>> 1;
            final int parent = heap[parentPos];
            if (!less(id, parent))
            {
                break;
            }
            place(parent, pos);
            pos = parentPos;
        }
        place(id, pos);
    }

    private void siftDown(final int start)
    {
        final int n = heap.length;
        int pos = start;
        final int id = heap[pos];
        while (true)
        {
            int childPos = (pos << 1) + 1;
            if (childPos >= n)
            {
                break;
            }
            int child = heap[childPos];
            final int rightPos = childPos + 1;
            if (rightPos < n && less(heap[rightPos], child))
            {
                childPos = rightPos;
                child = heap[rightPos];
            }
            if (!less(child, id))
            {
                break;
            }
            place(child, pos);
            pos = childPos;
        }
        place(id, pos);
    }

    private void place(final int id, final int pos)
    {
        heap[pos] = id;
        position[id] = pos;
    }
}
