package dev.fulcrum.stat;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A balancer's counters file, read from any process (the writer's own or another): its header, its counters and
 * its error log, as {@link CountersLayout} lays them out. A file is written by a balancer built with
 * {@code BalancerBuilder.countersDirectory(Path)} (or the {@value #DIRECTORY_PROPERTY} property, or the
 * {@value #DIRECTORY_ENV} environment variable); {@code fulcrum-stat} prints it.
 * <p>
 * Opening maps the file read-only and reads nothing else; every accessor then reads the mapping as it is now
 * (volatile loads), so one {@code CountersFile} follows a live balancer for as long as it is kept. A file stays
 * readable after its balancer closed and after its process died: {@link #status()} tells which. Not thread-safe
 * beyond that: each accessor may be called from any thread, but the consumers it calls run on the caller's.
 * Reading allocates (labels, error texts); none of it touches the writer.
 */
public final class CountersFile
{
    /** The system property naming the counters directory, when code does not set one. */
    public static final String DIRECTORY_PROPERTY = "fulcrum.counters.dir";
    /** The environment variable naming the counters directory, when neither code nor the property does. */
    public static final String DIRECTORY_ENV = "FULCRUM_COUNTERS_DIR";
    /** Every counters file's name starts with this... */
    public static final String FILE_PREFIX = "fulcrum-";
    /** ...and ends with this. */
    public static final String FILE_SUFFIX = ".counters";
    /** How many times a label that changes under the reader is read again before it is given as read. */
    private static final int LABEL_RETRIES = 16;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** What a counters file says about its balancer. */
    public enum Status
    {
        /** Its process is running and the balancer has not closed. */
        LIVE,
        /** The balancer closed; the figures are its last. */
        CLOSED,
        /** Its process ended without closing the balancer (it crashed, was killed, or exited without close). */
        DEAD
    }

    /** Told of each counter by {@link #forEachCounter(CounterConsumer)}. */
    @FunctionalInterface
    public interface CounterConsumer
    {
        /**
         * @param id     the counter's id: its record's index.
         * @param typeId what it counts ({@code CountersLayout.TYPE_*}).
         * @param worker the worker slot it belongs to, or -1.
         * @param label  its label.
         * @param value  its value now.
         */
        void accept(int id, int typeId, int worker, String label, long value);
    }

    /** Told of each distinct error by {@link #forEachError(ErrorConsumer)}. */
    @FunctionalInterface
    public interface ErrorConsumer
    {
        /**
         * @param observations how many times it was seen.
         * @param firstMs      when first seen, epoch milliseconds.
         * @param lastMs       when last seen, epoch milliseconds.
         * @param error        its stack trace, as {@code printStackTrace} prints it.
         */
        void accept(int observations, long firstMs, long lastMs, String error);
    }

    private final Path path;
    private final ByteBuffer buffer;
    private final int metadataOffset;
    private final int valuesOffset;
    private final int errorLogOffset;
    private final int errorLogLength;
    private final int counters;

    private CountersFile(final Path path, final ByteBuffer buffer)
    {
        this.path = path;
        this.buffer = buffer;
        metadataOffset = header(CountersLayout.METADATA_OFFSET_OFFSET);
        valuesOffset = header(CountersLayout.VALUES_OFFSET_OFFSET);
        errorLogOffset = header(CountersLayout.ERROR_LOG_OFFSET_OFFSET);
        errorLogLength = header(CountersLayout.ERROR_LOG_LENGTH_OFFSET);
        counters = header(CountersLayout.COUNTERS_OFFSET);
        final long metadataEnd = (long)metadataOffset + header(CountersLayout.METADATA_LENGTH_OFFSET);
        final long valuesEnd = (long)valuesOffset + header(CountersLayout.VALUES_LENGTH_OFFSET);
        if (metadataOffset < CountersLayout.HEADER_LENGTH || metadataEnd > valuesOffset ||
            valuesEnd > errorLogOffset || (long)errorLogOffset + errorLogLength > buffer.capacity() ||
            counters < 0 || (long)counters * CountersLayout.METADATA_LENGTH > metadataEnd - metadataOffset ||
            (long)counters * CountersLayout.COUNTER_LENGTH > valuesEnd - valuesOffset)
        {
            throw new IllegalArgumentException("not a valid counters file, its sections do not fit: file=" + path);
        }
    }

    /**
     * Map {@code file} read-only.
     *
     * @param file a counters file.
     * @return the file, ready to read.
     * @throws IOException              when it cannot be read.
     * @throws IllegalArgumentException when it is not a counters file of this layout (or not written yet), naming
     *                                  it.
     */
    public static CountersFile open(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < CountersLayout.HEADER_LENGTH || size > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("not a counters file (size " + size + "): file=" + file);
            }
            final ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            final int magic = (int)INT.getAcquire(buffer, CountersLayout.MAGIC_OFFSET); // pairs with the release
            if (CountersLayout.MAGIC != magic)
            {
                throw new IllegalArgumentException("not a counters file, or not written yet (magic " +
                    Integer.toHexString(magic) + "): file=" + file);
            }
            final int version = (int)INT.get(buffer, CountersLayout.LAYOUT_VERSION_OFFSET);
            if (CountersLayout.LAYOUT_VERSION != version)
            {
                throw new IllegalArgumentException("counters layout version " + version + ", this reader reads " +
                    CountersLayout.LAYOUT_VERSION + ": file=" + file);
            }
            return new CountersFile(file, buffer);
        }
    }

    /**
     * @return the directory {@value #DIRECTORY_PROPERTY} names, else the one {@value #DIRECTORY_ENV} names, else
     * empty (a blank value counts as unset).
     * @throws IllegalArgumentException when the value is not a path, naming the property or variable and the value.
     */
    public static Optional<Path> configuredDirectory()
    {
        final String property = System.getProperty(DIRECTORY_PROPERTY);
        if (null != property && !property.isBlank())
        {
            return Optional.of(path(DIRECTORY_PROPERTY, property));
        }
        final String env = System.getenv(DIRECTORY_ENV);
        if (null != env && !env.isBlank())
        {
            return Optional.of(path(DIRECTORY_ENV, env));
        }
        return Optional.empty();
    }

    private static Path path(final String name, final String value)
    {
        try
        {
            return Path.of(value.trim());
        }
        catch (final InvalidPathException ex)
        {
            throw new IllegalArgumentException(name + " must be a directory path: " + name + "=" + value, ex);
        }
    }

    /**
     * @param pid      a process id.
     * @param sequence the balancer's number in its process.
     * @return the name of the counters file of that balancer: {@code fulcrum-<pid>-<sequence>.counters}.
     */
    public static String fileName(final long pid, final int sequence)
    {
        return FILE_PREFIX + pid + "-" + sequence + FILE_SUFFIX;
    }

    /**
     * @param directory a counters directory.
     * @return its counters files, by name; empty when the directory does not exist.
     * @throws IOException when it cannot be listed.
     */
    public static List<Path> list(final Path directory) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, FILE_PREFIX + "*" + FILE_SUFFIX))
        {
            for (final Path file : stream)
            {
                if (Files.isRegularFile(file))
                {
                    files.add(file);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /**
     * @return the file this reads.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return the id of the process that wrote the file.
     */
    public long pid()
    {
        return (long)LONG.get(buffer, CountersLayout.PID_OFFSET);
    }

    /**
     * @return when the balancer was built.
     */
    public Instant startTime()
    {
        return Instant.ofEpochMilli((long)LONG.get(buffer, CountersLayout.START_TIME_OFFSET));
    }

    /**
     * @return when the balancer closed, or empty while it has not.
     */
    public Optional<Instant> closedTime()
    {
        final long closedMs = (long)LONG.getVolatile(buffer, CountersLayout.CLOSED_TIME_OFFSET);
        return 0 == closedMs ? Optional.empty() : Optional.of(Instant.ofEpochMilli(closedMs));
    }

    /**
     * @return {@link Status#CLOSED} once the balancer closed; else {@link Status#LIVE} while the process that wrote
     * the file runs (a process with its pid that started after the balancer is another one: the pid was reused);
     * else {@link Status#DEAD}.
     */
    public Status status()
    {
        if (closedTime().isPresent())
        {
            return Status.CLOSED;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid());
        if (process.isEmpty() || !process.get().isAlive())
        {
            return Status.DEAD;
        }
        final Optional<Instant> started = process.get().info().startInstant();
        // a second of slack: process start times are coarse on some systems
        final boolean reused = started.isPresent() && started.get().isAfter(startTime().plusSeconds(1));
        return reused ? Status.DEAD : Status.LIVE;
    }

    /**
     * @return the balancer's policy, as {@code Policy.name()} says it.
     */
    public String policy()
    {
        return name(CountersLayout.POLICY_OFFSET);
    }

    /**
     * @return the balancer's threading mode ({@code DEDICATED}, {@code SHARED}, {@code INVOKER}).
     */
    public String threadingMode()
    {
        return name(CountersLayout.THREADING_MODE_OFFSET);
    }

    /**
     * @return worker slots ({@code maxWorkers}).
     */
    public int maxWorkers()
    {
        return header(CountersLayout.MAX_WORKERS_OFFSET);
    }

    /**
     * @return workers at build.
     */
    public int workers()
    {
        return header(CountersLayout.WORKERS_OFFSET);
    }

    /**
     * @return how many counters the file holds (ids 0 to this minus 1).
     */
    public int counters()
    {
        return counters;
    }

    /**
     * Every counter, in id order.
     *
     * @param consumer told of each.
     */
    public void forEachCounter(final CounterConsumer consumer)
    {
        for (int id = 0; id < counters; id++)
        {
            final int record = metadataOffset + id * CountersLayout.METADATA_LENGTH;
            final int state = (int)INT.getVolatile(buffer, record);
            if (CountersLayout.RECORD_UNUSED == state)
            {
                break;
            }
            if (CountersLayout.RECORD_ALLOCATED == state)
            {
                consumer.accept(id, typeId(id), worker(id), label(id), value(id));
            }
        }
    }

    /**
     * @param id a counter's id, 0 to {@link #counters()} minus 1.
     * @return its value now.
     */
    public long value(final int id)
    {
        return (long)LONG.getVolatile(buffer, valuesOffset + check(id) * CountersLayout.COUNTER_LENGTH);
    }

    /**
     * @param id a counter's id.
     * @return its type id ({@code CountersLayout.TYPE_*}).
     */
    public int typeId(final int id)
    {
        return (int)INT.get(buffer, metadataOffset + check(id) * CountersLayout.METADATA_LENGTH +
            CountersLayout.TYPE_ID_OFFSET);
    }

    /**
     * @param id a counter's id.
     * @return the worker slot it belongs to, or -1.
     */
    public int worker(final int id)
    {
        return (int)INT.get(buffer, metadataOffset + check(id) * CountersLayout.METADATA_LENGTH +
            CountersLayout.KEY_OFFSET + CountersLayout.KEY_WORKER_OFFSET);
    }

    /**
     * @param id a counter's id.
     * @return its label now, read whole (a label that changed while read is read again, a few times at most).
     */
    public String label(final int id)
    {
        final int record = metadataOffset + check(id) * CountersLayout.METADATA_LENGTH;
        final int version = record + CountersLayout.KEY_OFFSET + CountersLayout.KEY_LABEL_VERSION_OFFSET;
        String label = "";
        for (int attempt = 0; attempt < LABEL_RETRIES; attempt++)
        {
            final long before = (long)LONG.getAcquire(buffer, version);
            final int length = Math.max(0, Math.min(CountersLayout.MAX_LABEL_LENGTH,
                (int)INT.getVolatile(buffer, record + CountersLayout.LABEL_OFFSET)));
            final byte[] bytes = new byte[length];
            buffer.get(record + CountersLayout.LABEL_OFFSET + Integer.BYTES, bytes, 0, length);
            label = new String(bytes, StandardCharsets.UTF_8);
            VarHandle.loadLoadFence(); // the label's bytes are read before the version is read again
            if (0 == (before & 1) && before == (long)LONG.getVolatile(buffer, version))
            {
                break;
            }
            Thread.onSpinWait();
        }
        return label;
    }

    /**
     * Every distinct error in the log, oldest first.
     *
     * @param consumer told of each.
     * @return how many.
     */
    public int forEachError(final ErrorConsumer consumer)
    {
        int entries = 0;
        int offset = 0;
        while (offset <= errorLogLength - CountersLayout.ERROR_ENCODED_OFFSET)
        {
            final int at = errorLogOffset + offset;
            final int length = Math.min((int)INT.getVolatile(buffer, at + CountersLayout.ERROR_LENGTH_OFFSET),
                errorLogLength - offset);
            if (length < CountersLayout.ERROR_ENCODED_OFFSET)
            {
                break;
            }
            final long lastMs = (long)LONG.getVolatile(buffer, at + CountersLayout.ERROR_LAST_OBSERVATION_OFFSET);
            final int count = (int)INT.getVolatile(buffer, at + CountersLayout.ERROR_OBSERVATION_COUNT_OFFSET);
            final long firstMs = (long)LONG.get(buffer, at + CountersLayout.ERROR_FIRST_OBSERVATION_OFFSET);
            final byte[] text = new byte[length - CountersLayout.ERROR_ENCODED_OFFSET];
            buffer.get(at + CountersLayout.ERROR_ENCODED_OFFSET, text, 0, text.length);
            consumer.accept(count, firstMs, lastMs, new String(text, StandardCharsets.UTF_8));
            entries++;
            offset += (length + CountersLayout.ERROR_RECORD_ALIGNMENT - 1) & -CountersLayout.ERROR_RECORD_ALIGNMENT;
        }
        return entries;
    }

    /**
     * @return the metadata section, read-only, in the platform's byte order: for Agrona's {@code CountersReader}
     * (with {@link #valuesBuffer()}), wrapped in an {@code UnsafeBuffer}.
     */
    public ByteBuffer metaDataBuffer()
    {
        return section(metadataOffset, header(CountersLayout.METADATA_LENGTH_OFFSET));
    }

    /**
     * @return the values section, read-only, in the platform's byte order.
     */
    public ByteBuffer valuesBuffer()
    {
        return section(valuesOffset, header(CountersLayout.VALUES_LENGTH_OFFSET));
    }

    /**
     * @return the error log section, read-only, in the platform's byte order: for Agrona's {@code ErrorLogReader}.
     */
    public ByteBuffer errorLogBuffer()
    {
        return section(errorLogOffset, errorLogLength);
    }

    @Override
    public String toString()
    {
        return path.getFileName() + " pid=" + pid() + " " + status() + " policy=" + policy() + " mode=" +
            threadingMode() + " started=" + startTime();
    }

    private ByteBuffer section(final int offset, final int length)
    {
        return buffer.slice(offset, length).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    private int header(final int offset)
    {
        return (int)INT.get(buffer, offset);
    }

    private String name(final int offset)
    {
        final int length = Math.max(0, Math.min(CountersLayout.MAX_NAME_LENGTH, header(offset)));
        final byte[] bytes = new byte[length];
        buffer.get(offset + Integer.BYTES, bytes, 0, length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private int check(final int id)
    {
        if (id < 0 || id >= counters)
        {
            throw new IndexOutOfBoundsException(
                "id must be 0 to " + (counters - 1) + " (counters=" + counters + "): id=" + id);
        }
        return id;
    }
}
