package dev.fulcrum;

import java.util.ArrayList;
import java.util.List;

/**
 * A reply that writes down what it was told, for tests that step the engine on one thread.
 */
class Recorder<Q, R> implements Reply<Q, R>
{
    final List<Q> results = new ArrayList<>();
    final List<R> values = new ArrayList<>();
    final List<Q> errors = new ArrayList<>();
    final List<Throwable> causes = new ArrayList<>();

    @Override
    public void onResult(final Q request, final R result)
    {
        results.add(request);
        values.add(result);
    }

    @Override
    public void onError(final Q request, final Throwable error)
    {
        errors.add(request);
        causes.add(error);
    }

    int count()
    {
        return results.size() + errors.size();
    }

    /**
     * @return a recorder whose callbacks may come from several threads at once (a worker on a thread of the test's
     * own while the rest is stepped); read it only once those threads are done.
     */
    static <Q, R> Recorder<Q, R> synchronizedRecorder()
    {
        return new Recorder<>()
        {
            @Override
            public synchronized void onResult(final Q request, final R result)
            {
                super.onResult(request, result);
            }

            @Override
            public synchronized void onError(final Q request, final Throwable error)
            {
                super.onError(request, error);
            }
        };
    }
}
