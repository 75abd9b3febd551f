package dev.fulcrum;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the engine logs through {@link System.Logger} (backed by java.util.logging by default). While it
 * collects, the engine's logger does not also print to the console: the warnings a test provokes on purpose are
 * asserted, not shown in the build log. Use it in try-with-resources, or as a {@code @RegisterExtension} field for a
 * whole test class.
 */
final class LogCapture extends Handler implements AutoCloseable, AfterEachCallback
{
    final List<String> messages = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(Balancer.class.getName());

    LogCapture()
    {
        logger.addHandler(this);
        logger.setUseParentHandlers(false);
    }

    boolean contains(final String fragment)
    {
        return messages.stream().anyMatch(m -> m.contains(fragment));
    }

    @Override
    public void publish(final LogRecord record)
    {
        messages.add(record.getMessage());
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
        logger.setUseParentHandlers(true);
        logger.removeHandler(this);
    }

    /**
     * As a {@code @RegisterExtension} field: captures from the test instance's creation to the end of its test.
     */
    @Override
    public void afterEach(final ExtensionContext context)
    {
        close();
    }
}
