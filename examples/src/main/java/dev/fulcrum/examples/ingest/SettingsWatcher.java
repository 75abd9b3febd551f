package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the settings file again whenever its content changes, and applies what may change live: a daemon thread,
 * {@code ingest-settings}, reads it every {@code SETTINGS_POLL_MS} (the whole file, a few hundred bytes: so a
 * change is seen even when it keeps the file's size and modification time), and at once when {@link #wake()} is
 * called (on SIGHUP, see {@link Sighup}).
 * <p>
 * A new content is checked whole, as at start ({@link SettingsFile}, {@link SettingsChange}); a bad one is refused
 * with one log line naming the key and the value, and the current settings stay. A good one: its {@code WORKERS}
 * goes to the {@link PoolResizer} (one log line, old size to new size), and its other changes are logged once each
 * as needing a restart, and otherwise ignored. A file that goes missing is logged once; the settings stay.
 * <p>
 * Write the file whole, by writing a new file beside it and renaming it over the old one (as editors and
 * Kubernetes' mounted ConfigMaps do): a file caught half-written by a read is taken as it is.
 */
final class SettingsWatcher implements Runnable
{
    /** What one reading of the file did. */
    enum Outcome
    {
        /** A new pool size was asked for. */
        APPLIED,
        /** Nothing to apply: the same content, or a new one that changes no live setting. */
        UNCHANGED,
        /** The content is bad: nothing changed. */
        REFUSED,
        /** The file could not be read: nothing changed. */
        UNREADABLE
    }

    private static final System.Logger LOG = System.getLogger(SettingsWatcher.class.getName());

    private final IngestConfig started;
    private final Path file;
    private final PoolResizer resizer;
    private final long pollNs;
    private final Thread thread;
    private final Set<String> restartReported = new HashSet<>();
    private volatile boolean closed;
    private volatile boolean woken;
    private volatile long applied;
    private volatile long refused;
    private volatile String lastProblem;
    private String lastText;

    /**
     * @param started the settings the server started with; {@link IngestConfig#settingsFile()} not null.
     * @param resizer where a new {@code WORKERS} goes.
     */
    SettingsWatcher(final IngestConfig started, final PoolResizer resizer)
    {
        this.started = started;
        this.file = started.settingsFile();
        this.resizer = resizer;
        this.pollNs = TimeUnit.MILLISECONDS.toNanos(started.settingsPollMs());
        this.thread = new Thread(this, "ingest-settings");
        thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    @Override
    public void run()
    {
        long next = System.nanoTime() + pollNs;
        while (!closed)
        {
            final long now = System.nanoTime();
            if (woken || now - next >= 0)
            {
                woken = false;
                try
                {
                    check();
                }
                catch (final RuntimeException ex)
                {
                    LOG.log(System.Logger.Level.ERROR, "ingest: reading the settings file failed: file=" + file, ex);
                }
                next = System.nanoTime() + pollNs;
                continue;
            }
            LockSupport.parkNanos(this, next - now); // woken early by wake() and close()
        }
    }

    /**
     * Read the file now, on the settings thread; returns at once. Safe from a signal handler.
     */
    void wake()
    {
        woken = true;
        LockSupport.unpark(thread);
    }

    /**
     * Read the file and apply it, on the calling thread (the settings thread, or a test).
     *
     * @return what it did.
     */
    synchronized Outcome check()
    {
        final String text;
        try
        {
            text = SettingsFile.read(file);
        }
        catch (final IOException ex)
        {
            lastText = null; // read it whole again when it is back
            problem("cannot be read", ex instanceof NoSuchFileException ? "it is missing" : ex.toString());
            return Outcome.UNREADABLE;
        }
        if (text.equals(lastText))
        {
            return Outcome.UNCHANGED;
        }
        lastText = text;

        final SettingsChange change;
        try
        {
            final Map<String, String> settings = SettingsFile.parse(text);
            change = SettingsChange.of(started, settings);
        }
        catch (final IllegalArgumentException ex)
        {
            refused++;
            problem("refused", ex.getMessage());
            return Outcome.REFUSED;
        }
        lastProblem = null;

        final List<String> needRestart = new ArrayList<>();
        for (final String setting : change.needRestart())
        {
            if (restartReported.add(setting))
            {
                needRestart.add(setting);
            }
        }
        if (!needRestart.isEmpty())
        {
            LOG.log(System.Logger.Level.WARNING, "ingest: settings file: " + String.join(" ", needRestart) +
                ": needs a restart, ignored until then: file=" + file);
        }

        final int before = resizer.target();
        if (change.workers() == before)
        {
            return Outcome.UNCHANGED;
        }
        LOG.log(System.Logger.Level.INFO, "ingest: settings file: workers " + before + " -> " + change.workers() +
            ": file=" + file);
        resizer.resizeTo(change.workers());
        applied++;
        return Outcome.APPLIED;
    }

    /**
     * @return new pool sizes applied from the file so far.
     */
    long applied()
    {
        return applied;
    }

    /**
     * @return contents of the file refused so far.
     */
    long refused()
    {
        return refused;
    }

    /**
     * @return why the last reading changed nothing (refused or unreadable), or null when it was good.
     */
    String lastProblem()
    {
        return lastProblem;
    }

    /**
     * Stop the settings thread and wait for it (briefly: it only waits between readings).
     */
    void close()
    {
        closed = true;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The file changes nothing: log it, once until the reason changes.
     */
    private void problem(final String what, final String why)
    {
        final String problem = what + ": " + why;
        if (!problem.equals(lastProblem))
        {
            LOG.log(System.Logger.Level.WARNING, "ingest: settings file " + problem +
                "; the current settings stay: file=" + file);
        }
        lastProblem = problem;
    }
}
