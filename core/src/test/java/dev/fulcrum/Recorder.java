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
}
