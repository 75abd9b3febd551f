package dev.fulcrum.aeron;

import dev.fulcrum.WorkerLink;

import java.util.HashMap;
import java.util.Map;

/**
 * What a link delivered, per request id, with every id answered more than once counted.
 */
final class RecordingReplies<R> implements WorkerLink.Replies<R>
{
    final Map<Long, R> results = new HashMap<>();
    final Map<Long, Throwable> errors = new HashMap<>();
    long duplicates;

    @Override
    public void onResult(final long id, final R result)
    {
        if (results.containsKey(id) || errors.containsKey(id))
        {
            duplicates++;
        }
        results.put(id, result);
    }

    @Override
    public void onError(final long id, final Throwable error)
    {
        if (results.containsKey(id) || errors.containsKey(id))
        {
            duplicates++;
        }
        errors.put(id, error);
    }

    int answered()
    {
        return results.size() + errors.size();
    }

    boolean answered(final long id)
    {
        return results.containsKey(id) || errors.containsKey(id);
    }
}
