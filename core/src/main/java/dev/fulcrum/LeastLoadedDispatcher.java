package dev.fulcrum;

/**
 * Pike's rule: the worker with the least pending work, found at the top of an indexed min-heap on pending count;
 * O(log n) per dispatch and per completion, ties to the lowest worker index.
 */
final class LeastLoadedDispatcher extends Dispatcher
{
    private final IndexedMinHeap heap;

    LeastLoadedDispatcher(final int workers, final int maxPending)
    {
        super(workers, maxPending);
        heap = new IndexedMinHeap(pending);
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
        heap.increased(worker);
    }

    @Override
    void decreased(final int worker)
    {
        heap.decreased(worker);
    }

    IndexedMinHeap heap()
    {
        return heap;
    }
}
