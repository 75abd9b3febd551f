package dev.fulcrum;

import dev.fulcrum.stat.CountersFile;
import dev.fulcrum.stat.CountersLayout;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory behind a balancer's counters, laid out as {@link CountersLayout} says: a file mapped into memory in a
 * counters directory, or the same bytes in a direct buffer when there is none, so that every counter is written
 * through one code path. Written through VarHandles on the buffer (no {@code sun.misc.Unsafe}, no Agrona
 * {@code UnsafeBuffer}, hence no JVM flag): plain stores while the file is made, release stores to publish.
 * <p>
 * Made and filled by the building thread: the header, then every counter's metadata record (each published with
 * a release store of its state), then the magic (a release store) last. Afterwards the counters' writers own their
 * value records ({@link Counters}), the watchdog owns the error log ({@link ErrorLog}), the balancer owns the hot
 * keys' labels ({@link HotKeys}) and the closing thread owns the closed time.
 */
final class CountersStorage
{
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    /** Balancers made in this process so far: the sequence in each file's name. */
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final ByteBuffer buffer;
    /** The file, or null for counters in memory only. */
    final Path file;
    final int metadataOffset;
    final int valuesOffset;
    final int errorLogOffset;
    final int errorLogLength;
    private final int counters;
    private int allocated;
    private boolean closed;

    /**
     * @param directory      where to make the file, or null to keep the counters in memory.
     * @param counters       how many counter records.
     * @param errorLogLength bytes of error log, a multiple of {@link CountersLayout#SECTION_ALIGNMENT}.
     * @throws IllegalStateException when the directory cannot be made or the file cannot be created, naming both.
     */
    CountersStorage(final Path directory, final int counters, final int errorLogLength)
    {
        this.counters = counters;
        this.errorLogLength = errorLogLength;
        metadataOffset = CountersLayout.HEADER_LENGTH;
        valuesOffset = metadataOffset + align((long)counters * CountersLayout.METADATA_LENGTH);
        errorLogOffset = valuesOffset + align((long)counters * CountersLayout.COUNTER_LENGTH);
        final long length = (long)errorLogOffset + errorLogLength;
        final int sequence = SEQUENCE.getAndIncrement();
        if (null == directory)
        {
            file = null;
            // page-aligned, as a mapping is, so every record is aligned for the VarHandles' atomic access modes
            buffer = ByteBuffer.allocateDirect((int)length + CountersLayout.SECTION_ALIGNMENT)
                .alignedSlice(CountersLayout.SECTION_ALIGNMENT);
        }
        else
        {
            final Path made = create(directory, sequence);
            file = made;
            buffer = map(made, length);
        }
        buffer.limit((int)length);

        LONG.set(buffer, CountersLayout.PID_OFFSET, ProcessHandle.current().pid());
        LONG.set(buffer, CountersLayout.START_TIME_OFFSET, System.currentTimeMillis());
        INT.set(buffer, CountersLayout.LAYOUT_VERSION_OFFSET, CountersLayout.LAYOUT_VERSION);
        INT.set(buffer, CountersLayout.METADATA_OFFSET_OFFSET, metadataOffset);
        INT.set(buffer, CountersLayout.METADATA_LENGTH_OFFSET, valuesOffset - metadataOffset);
        INT.set(buffer, CountersLayout.VALUES_OFFSET_OFFSET, valuesOffset);
        INT.set(buffer, CountersLayout.VALUES_LENGTH_OFFSET, errorLogOffset - valuesOffset);
        INT.set(buffer, CountersLayout.ERROR_LOG_OFFSET_OFFSET, errorLogOffset);
        INT.set(buffer, CountersLayout.ERROR_LOG_LENGTH_OFFSET, errorLogLength);
        INT.set(buffer, CountersLayout.SEQUENCE_OFFSET, sequence);
    }

    private static int align(final long length)
    {
        final long aligned = (length + CountersLayout.SECTION_ALIGNMENT - 1) & -CountersLayout.SECTION_ALIGNMENT;
        if (aligned > Integer.MAX_VALUE / 4)
        {
            throw new IllegalArgumentException("counters section too large: length=" + length);
        }
        return (int)aligned;
    }

    private static Path create(final Path directory, final int sequence)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalStateException(
                "countersDirectory must be a directory that can be made and written: countersDirectory=" +
                directory + " (" + ex + ")", ex);
        }
        final long pid = ProcessHandle.current().pid();
        // a dead process with the same pid may have left a file of the same name: take the next number
        for (int n = sequence; ; n++)
        {
            final Path candidate = directory.resolve(CountersFile.fileName(pid, n));
            try
            {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return candidate;
            }
            catch (final FileAlreadyExistsException ex)
            {
                if (n - sequence > 1_000)
                {
                    throw new IllegalStateException("no free counters file name in countersDirectory=" + directory, ex);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new IllegalStateException("cannot create a counters file in countersDirectory=" + directory +
                    ": file=" + candidate + " (" + ex + ")", ex);
            }
        }
    }

    private static ByteBuffer map(final Path file, final long length)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length); // the mapping outlives the channel
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot map the counters file: file=" + file + " (" + ex + ")", ex);
        }
    }

    /**
     * Building thread: the policy and threading mode, and the sizes a reader needs to tell the counters apart.
     */
    void describe(
        final String policy,
        final String threadingMode,
        final int maxWorkers,
        final int workers,
        final int refusedStripes,
        final int hotKeys)
    {
        putName(CountersLayout.POLICY_OFFSET, policy);
        putName(CountersLayout.THREADING_MODE_OFFSET, threadingMode);
        INT.set(buffer, CountersLayout.MAX_WORKERS_OFFSET, maxWorkers);
        INT.set(buffer, CountersLayout.WORKERS_OFFSET, workers);
        INT.set(buffer, CountersLayout.REFUSED_STRIPES_OFFSET, refusedStripes);
        INT.set(buffer, CountersLayout.HOT_KEYS_OFFSET, hotKeys);
    }

    private void putName(final int offset, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        final int length = Math.min(bytes.length, CountersLayout.MAX_NAME_LENGTH);
        buffer.put(offset + Integer.BYTES, bytes, 0, length);
        INT.set(buffer, offset, length);
    }

    /**
     * Building thread: the next counter's metadata record.
     *
     * @return the counter's id.
     */
    int allocate(final int typeId, final int worker, final int index, final String label)
    {
        if (allocated == counters)
        {
            throw new IllegalStateException("every counter record is taken: counters=" + counters);
        }
        final int id = allocated++;
        final int record = metadataOffset + id * CountersLayout.METADATA_LENGTH;
        INT.set(buffer, record + CountersLayout.TYPE_ID_OFFSET, typeId);
        LONG.set(buffer, record + CountersLayout.FREE_FOR_REUSE_DEADLINE_OFFSET, Long.MAX_VALUE);
        INT.set(buffer, record + CountersLayout.KEY_OFFSET + CountersLayout.KEY_WORKER_OFFSET, worker);
        INT.set(buffer, record + CountersLayout.KEY_OFFSET + CountersLayout.KEY_INDEX_OFFSET, index);
        final byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
        final int length = Math.min(bytes.length, CountersLayout.MAX_LABEL_LENGTH);
        buffer.put(record + CountersLayout.LABEL_OFFSET + Integer.BYTES, bytes, 0, length);
        INT.set(buffer, record + CountersLayout.LABEL_OFFSET, length);
        INT.setRelease(buffer, record, CountersLayout.RECORD_ALLOCATED); // as Agrona's CountersManager publishes
        return id;
    }

    /**
     * Building thread, after the last {@link #allocate}: the header is complete.
     */
    void publish()
    {
        INT.set(buffer, CountersLayout.COUNTERS_OFFSET, allocated);
        INT.setRelease(buffer, CountersLayout.MAGIC_OFFSET, CountersLayout.MAGIC); // pairs with a reader's acquire
    }

    /**
     * @return the offset in {@link #buffer} of counter {@code id}'s value.
     */
    int valueOffset(final int id)
    {
        return valuesOffset + id * CountersLayout.COUNTER_LENGTH;
    }

    /**
     * The single writer of counter {@code id}'s label (only hot keys' labels change): replace it with
     * {@code length} bytes of {@code label}, and the key beside it, inside an odd label version so that a reader
     * can tell a label read while it changed. Allocates nothing.
     */
    void relabel(final int id, final long key, final byte[] label, final int length)
    {
        final int record = metadataOffset + id * CountersLayout.METADATA_LENGTH;
        final int version = record + CountersLayout.KEY_OFFSET + CountersLayout.KEY_LABEL_VERSION_OFFSET;
        final long v = (long)LONG.get(buffer, version);
        LONG.setOpaque(buffer, version, v + 1);
        VarHandle.storeStoreFence(); // the odd version is visible before any byte of the new label
        LONG.set(buffer, record + CountersLayout.KEY_OFFSET + CountersLayout.KEY_HOT_KEY_OFFSET, key);
        final int n = Math.min(length, CountersLayout.MAX_LABEL_LENGTH);
        buffer.put(record + CountersLayout.LABEL_OFFSET + Integer.BYTES, label, 0, n);
        INT.setRelease(buffer, record + CountersLayout.LABEL_OFFSET, n);
        LONG.setRelease(buffer, version, v + 2); // pairs with the reader's acquire of the version after the label
    }

    /**
     * Closing thread: mark the counters closed, leaving them readable. Idempotent.
     */
    void close()
    {
        if (!closed)
        {
            closed = true;
            LONG.setRelease(buffer, CountersLayout.CLOSED_TIME_OFFSET, Math.max(1, System.currentTimeMillis()));
        }
    }

    boolean isClosed()
    {
        return 0 != (long)LONG.getVolatile(buffer, CountersLayout.CLOSED_TIME_OFFSET);
    }
}
