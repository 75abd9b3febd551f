package dev.fulcrum;

/**
 * The baseline of Pike's talk: each worker in turn, skipping any that is full. The turn moves on from whichever
 * worker last took a request.
 */
final class RoundRobinDispatcher extends Dispatcher
{
    private int next;

    RoundRobinDispatcher(final int workers, final int maxPending)
    {
        super(workers, maxPending);
    }

    @Override
    int select()
    {
        return anyRoom() ? firstWithRoomFrom(next) : -1;
    }

    @Override
    void increased(final int worker)
    {
        next = worker + 1 == workers() ? 0 : worker + 1;
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
}
