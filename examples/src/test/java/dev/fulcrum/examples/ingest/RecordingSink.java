package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A sink for tests: keeps every payload written, and can hold the workers inside {@code write} until the test
 * releases them, to fill the queue without timing assumptions.
 */
final class RecordingSink implements PayloadSink
{
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstWriteEntered = new CountDownLatch(1);
    private final CountDownLatch released;
    private volatile boolean closed;

    /**
     * @param blocking true to hold every write until {@link #release()}.
     */
    RecordingSink(final boolean blocking)
    {
        this.released = new CountDownLatch(blocking ? 1 : 0);
    }

    @Override
    public Writer openWriter(final String workerName)
    {
        return new Writer()
        {
            @Override
            public void write(final Payload payload) throws IOException
            {
                firstWriteEntered.countDown();
                try
                {
                    if (!released.await(30, TimeUnit.SECONDS))
                    {
                        throw new IOException("test never released the sink");
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException(ex);
                }
                written.add(payload.toString());
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void force()
            {
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public boolean writable()
    {
        return !closed;
    }

    @Override
    public void close()
    {
        closed = true;
    }

    boolean awaitFirstWrite(final long timeoutMs) throws InterruptedException
    {
        return firstWriteEntered.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    void release()
    {
        released.countDown();
    }

    List<String> written()
    {
        return written;
    }

    boolean isClosed()
    {
        return closed;
    }
}
