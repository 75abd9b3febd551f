package dev.fulcrum;

/**
 * Pike's rule: the worker with the least pending work, found at the top of an indexed min-heap on pending count;
 * O(log n) per dispatch and per completion, ties to the lowest worker index. The heap orders on a rank that is the
 * pending count, plus a bias that sinks an offline worker below every online one.
 */
final class LeastLoadedDispatcher extends Dispatcher
{
    private static final int OFFLINE_RANK = 1 << 30;

    private final int[] rank;
    private final IndexedMinHeap heap;

    LeastLoadedDispatcher(final int workers, final int maxPending)
    {
        super(workers, maxPending);
        rank = new int[workers];
        heap = new IndexedMinHeap(rank);
    }

    @Override
    int select()
    {
        final int worker = heap.peek();
        return hasRoom(worker) ? worker : -1;
    }

    @Override
    void increased(final int worker)
    {
        rank[worker]++;
        heap.increased(worker);
    }

    @Override
    void decreased(final int worker)
    {
        rank[worker]--;
        heap.decreased(worker);
    }

    @Override
    void offlineChanged(final int worker, final boolean offline)
    {
        if (offline)
        {
            rank[worker] += OFFLINE_RANK;
            heap.increased(worker);
        }
        else
        {
            rank[worker] -= OFFLINE_RANK;
            heap.decreased(worker);
        }
    }

    IndexedMinHeap heap()
    {
        return heap;
    }
}
