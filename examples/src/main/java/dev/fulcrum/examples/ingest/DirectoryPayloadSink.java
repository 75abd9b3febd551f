package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The default sink: each worker appends its payloads to a file of its own in one directory, one
 * {@link PayloadRecord} per line (newline-delimited JSON), {@code payloads-<startMillis>-<pid>-<worker>.ndjson}.
 * <p>
 * Why per-worker append files rather than a file per payload: a file per payload costs an open, a write, a close
 * and a directory entry per payload (tens of microseconds, and a directory of millions of files), where appending
 * costs a memory copy, one {@code write(2)} per batch and, in durable mode, one {@code fdatasync(2)} per batch
 * (group commit). Per-worker files need no lock between workers, and stay checkable: {@code cat dir/*.ndjson | wc -l}
 * counts the records. A payload's JSON cannot hold a raw CR or LF inside a string (JSON requires them escaped), so
 * any CR or LF in it is whitespace between tokens, and is written as a space to keep one record per line.
 * <p>
 * Opening the sink recovers the directory first ({@link SinkRecovery}): torn tails are cut and bodies not wholly
 * on disk are dropped, so that what the directory holds is whole bodies only; new files are then appended beside
 * the old ones. A new file's directory entry is forced before the file is used, so that a forced file cannot
 * vanish with its directory entry.
 */
public final class DirectoryPayloadSink implements PayloadSink
{
    /** Bytes buffered per writer before they are written to the file. */
    public static final int BUFFER_BYTES = 64 * 1024;

    private final Path directory;
    private final String filePrefix;
    private final SinkRecovery.Result recovery;

    /**
     * Create the directory when missing, else recover what it holds.
     *
     * @param directory where the files go; created with its parents when missing.
     * @throws IOException when the directory cannot be created or recovered.
     */
    public DirectoryPayloadSink(final Path directory) throws IOException
    {
        this.directory = Files.createDirectories(directory);
        this.recovery = SinkRecovery.recover(directory);
        this.filePrefix = "payloads-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-";
    }

    /**
     * @return the directory the files go to.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return what the recovery at opening found and changed.
     */
    public SinkRecovery.Result recovery()
    {
        return recovery;
    }

    @Override
    public Writer openWriter(final String workerName) throws IOException
    {
        final Path file = directory.resolve(filePrefix + workerName + SinkRecovery.SUFFIX);
        final FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try
        {
            SinkRecovery.forceDirectory(directory);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        return new FileWriter(channel);
    }

    @Override
    public boolean writable()
    {
        return Files.isDirectory(directory) && Files.isWritable(directory);
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
     * One worker's file: copies each record into a preallocated buffer, so the worker allocates nothing per
     * payload (the JDK copies a heap buffer through a cached per-thread direct buffer on write).
     */
    private static final class FileWriter implements Writer
    {
        private final FileChannel channel;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private final ByteBuffer view = ByteBuffer.wrap(buffer);
        private final byte[] digits = new byte[20];
        private final CRC32C crc = new CRC32C();
        private int used;

        FileWriter(final FileChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public void write(final Payload payload) throws IOException
        {
            final Body body = payload.body();
            put(PayloadRecord.BODY);
            put(body.id(), 0, body.id().length);
            put(PayloadRecord.PART);
            putNumber(payload.part());
            put(PayloadRecord.OF);
            putNumber(body.parts());
            put(PayloadRecord.PAYLOAD);
            putPayload(payload.bytes(), payload.offset(), payload.length());
            put(PayloadRecord.CRC);
            putNumber(crc.getValue());
            putByte((byte)'}');
            putByte((byte)'\n');
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
        public void force() throws IOException
        {
            channel.force(false); // fdatasync: the data and the file size, not the timestamps
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

        private void putPayload(final byte[] bytes, final int offset, final int length) throws IOException
        {
            crc.reset();
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
                crc.update(buffer, used, n);
                used += n;
                from += n;
                left -= n;
            }
        }

        private void put(final byte[] bytes) throws IOException
        {
            put(bytes, 0, bytes.length);
        }

        private void put(final byte[] bytes, final int offset, final int length) throws IOException
        {
            if (buffer.length - used < length)
            {
                flush();
            }
            System.arraycopy(bytes, offset, buffer, used, length); // tokens and ids are far shorter than the buffer
            used += length;
        }

        private void putNumber(final long value) throws IOException
        {
            long v = value;
            int at = digits.length;
            do
            {
                digits[--at] = (byte)('0' + (v % 10));
                v /= 10;
            }
            while (v != 0);
            put(digits, at, digits.length - at);
        }

        private void putByte(final byte b) throws IOException
        {
            if (used == buffer.length)
            {
                flush();
            }
            buffer[used++] = b;
        }
    }
}
