package dev.fulcrum.examples.ingest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The lines one class logs while a test runs, kept for its assertions instead of printed: the warnings the tests
 * provoke on purpose (a refused settings file) would otherwise fill the build's output.
 */
final class LogLines implements AutoCloseable
{
    private final Logger logger; // held: java.util.logging keeps loggers by weak reference
    private final boolean usedParentHandlers;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler()
    {
        @Override
        public void publish(final LogRecord record)
        {
            lines.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    /**
     * @param type whose {@code System.Logger} (named after it) to capture.
     */
    LogLines(final Class<?> type)
    {
        logger = Logger.getLogger(type.getName());
        usedParentHandlers = logger.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    /**
     * @param text to look for.
     * @return the lines so far that contain it.
     */
    List<String> containing(final String text)
    {
        return lines.stream().filter(line -> line.contains(text)).collect(Collectors.toList());
    }

    List<String> lines()
    {
        return List.copyOf(lines);
    }

    @Override
    public void close()
    {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(usedParentHandlers);
    }
}
