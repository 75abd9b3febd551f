package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The default sink: each worker appends its payloads to a file of its own in one directory, one payload per line
 * (newline-delimited JSON), {@code payloads-<startMillis>-<pid>-<worker>.ndjson}.
 * <p>
 * Why per-worker append files rather than a file per payload: a file per payload costs an open, a write, a close
 * and a directory entry per payload (tens of microseconds, and a directory of millions of files), where appending
 * costs a memory copy, and one {@code write(2)} per batch. Per-worker files need no lock between workers, and stay
 * checkable: {@code cat dir/*.ndjson | wc -l} counts the payloads stored, each line is one payload as the client sent
 * it. A payload's JSON cannot hold a raw CR or LF inside a string (JSON requires them escaped), so any CR or LF in
 * it is whitespace between tokens, and is written as a space to keep one payload per line.
 * <p>
 * Each writer buffers up to {@link #BUFFER_BYTES} and writes the buffer out when it is full and when the server
 * flushes it (its worker went idle, or shutdown). Data reaches the OS page cache, not the disk: like Castilho's
 * in-memory job queue, a 202 means "accepted", not "durable"; add {@code FileChannel.force} to {@code flush()}
 * for durability at the price of a disk sync per batch.
 */
public final class DirectoryPayloadSink implements PayloadSink
{
    /** Bytes buffered per writer before a write to the file is forced. */
    public static final int BUFFER_BYTES = 64 * 1024;

    private final Path directory;
    private final String filePrefix;

    /**
     * @param directory where the files go; created with its parents when missing.
     * @throws IOException when the directory cannot be created.
     */
    public DirectoryPayloadSink(final Path directory) throws IOException
    {
        this.directory = Files.createDirectories(directory);
        this.filePrefix = "payloads-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-";
    }

    /**
     * @return the directory the files go to.
     */
    public Path directory()
    {
        return directory;
    }

    @Override
    public Writer openWriter(final String workerName) throws IOException
    {
        final Path file = directory.resolve(filePrefix + workerName + ".ndjson");
        return new FileWriter(FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    @Override
    public void close()
    {
        // every writer has its own file, closed with the writer: nothing shared to release
    }

    @Override
    public String toString()
    {
        return "DirectoryPayloadSink{directory=" + directory + "}";
    }

    /**
     * One worker's file: copies each payload into a preallocated buffer, so the worker allocates nothing per
     * payload (the JDK copies a heap buffer through a cached per-thread direct buffer on write).
     */
    private static final class FileWriter implements Writer
    {
        private final FileChannel channel;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private final ByteBuffer view = ByteBuffer.wrap(buffer);
        private int used;

        FileWriter(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public void write(final byte[] bytes, final int offset, final int length) throws IOException
        {
            int from = offset;
            int left = length;
            while (left > 0)
            {
                if (used == buffer.length)
                {
                    flush();
                }
                final int n = Math.min(left, buffer.length - used);
                System.arraycopy(bytes, from, buffer, used, n);
                for (int i = used, end = used + n; i < end; i++)
                {
                    final byte b = buffer[i];
                    if ('\n' == b || '\r' == b)
                    {
                        buffer[i] = ' ';
                    }
                }
                used += n;
                from += n;
                left -= n;
            }
            if (used == buffer.length)
            {
                flush();
            }
            buffer[used++] = '\n';
        }

        @Override
        public void flush() throws IOException
        {
            if (0 == used)
            {
                return;
            }
            view.clear().limit(used);
            try
            {
                while (view.hasRemaining())
                {
                    channel.write(view);
                }
            }
            finally
            {
                // on failure the batch is dropped rather than written twice by a later flush
                used = 0;
            }
        }

        @Override
        public void close() throws IOException
        {
            try
            {
                flush();
            }
            finally
            {
                channel.close();
            }
        }
    }
}
