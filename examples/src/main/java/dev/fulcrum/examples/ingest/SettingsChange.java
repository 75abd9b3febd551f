package dev.fulcrum.examples.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a new content of the settings file means for a running server: the pool size it asks for, and which of its
 * other settings differ from the ones the server started with (those need a restart and are otherwise ignored).
 *
 * @param workers     the pool size asked for: {@code WORKERS} from the file, else from the environment, else the
 *                    capacity the server started with ({@code MAX_WORKERS}), as at start.
 * @param needRestart {@code KEY=value} of each setting whose new value would change the server if it were
 *                    restarted now ({@code KEY=} when the file no longer sets it); empty when none.
 */
record SettingsChange(int workers, List<String> needRestart)
{
    /**
     * @param workers     as above.
     * @param needRestart as above; copied.
     */
    SettingsChange
    {
        needRestart = List.copyOf(needRestart);
    }

    /**
     * @param started the settings the server started with.
     * @param file    the file's new content, parsed ({@link SettingsFile#parse(String)}).
     * @return what it changes.
     * @throws IllegalArgumentException naming the setting and its value when the new content holds a bad value
     *                                  (as it would stop a server starting with it), or a {@code WORKERS} over the
     *                                  running server's capacity: then nothing changes.
     */
    static SettingsChange of(final IngestConfig started, final Map<String, String> file)
    {
        final IngestConfig next = started.withFile(file); // every value checked as at start
        final String workersText = file.getOrDefault("WORKERS", started.sources().environment().get("WORKERS"));
        // unset, WORKERS is the capacity, as at start: the running one (a new MAX_WORKERS needs a restart)
        final int workers = null == workersText ? started.maxWorkers() : next.workers();
        if (workers > started.maxWorkers())
        {
            throw new IllegalArgumentException("WORKERS must be in 1.." + started.maxWorkers() +
                " (the MAX_WORKERS this server started with; a new MAX_WORKERS needs a restart): WORKERS=" +
                workersText);
        }

        final List<String> needRestart = new ArrayList<>();
        if (!next.sameAtRestart(started))
        {
            final Map<String, String> before = started.sources().file();
            final Set<String> keys = new LinkedHashSet<>(file.keySet());
            keys.addAll(before.keySet());
            for (final String key : keys)
            {
                final String value = file.get(key);
                if (!IngestConfig.LIVE_KEYS.contains(key) && !Objects.equals(value, before.get(key)) &&
                    changesAlone(started, key, value))
                {
                    needRestart.add(key + "=" + (null == value ? "" : value));
                }
            }
        }
        return new SettingsChange(workers, needRestart);
    }

    /**
     * @return true when the file the server started with, with only {@code key} set to {@code value} (or removed
     * when null), gives settings other than the running ones (or no valid settings at all).
     */
    private static boolean changesAlone(final IngestConfig started, final String key, final String value)
    {
        final Map<String, String> one = new HashMap<>(started.sources().file());
        if (null == value)
        {
            one.remove(key);
        }
        else
        {
            one.put(key, value);
        }
        try
        {
            return !started.withFile(one).sameAtRestart(started);
        }
        catch (final IllegalArgumentException ex)
        {
            return true; // valid only together with the file's other changes: it changes something
        }
    }
}
