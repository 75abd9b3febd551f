package dev.fulcrum.aeron;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An embedded media driver for one test (one thread, back-off idle, 64 KiB terms, a fresh directory under
 * {@code target/aeron-test} deleted on start and on shutdown) and an Aeron client on it.
 */
final class TestDriver implements AutoCloseable
{
    static final int TERM_LENGTH = 64 * 1024;
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final MediaDriver driver;
    private final Aeron aeron;
    private final File directory;

    private TestDriver(final MediaDriver driver, final Aeron aeron, final File directory)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
    }

    static TestDriver launch()
    {
        return launch(context -> { });
    }

    /**
     * @param customise changes to the driver's context (loss generators, timeouts) after the defaults.
     */
    static TestDriver launch(final Consumer<MediaDriver.Context> customise)
    {
        final File directory = newDirectory("driver");
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory.getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)))
            .publicationTermBufferLength(TERM_LENGTH)
            .ipcTermBufferLength(TERM_LENGTH)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        customise.accept(context);
        final MediaDriver driver = MediaDriver.launch(context);
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            return new TestDriver(driver, aeron, directory);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * @return a fresh directory under the module's {@code target/aeron-test}, not yet made.
     */
    static File newDirectory(final String what)
    {
        final File root = new File(System.getProperty("fulcrum.aeron.testDir", "target/aeron-test"));
        return new File(root, what + "-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet() + "-" +
            System.nanoTime());
    }

    /**
     * @return a UDP port on the loopback interface that was free a moment ago.
     */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    Aeron aeron()
    {
        return aeron;
    }

    String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(aeron, driver);
        IoUtil.delete(directory, true);
    }
}
