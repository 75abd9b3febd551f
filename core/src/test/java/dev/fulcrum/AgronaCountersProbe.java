package dev.fulcrum;

import dev.fulcrum.stat.CountersLayout;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM by {@link AgronaLayoutTest}: reads a counters file with Agrona's own readers only
 * ({@link CountersReader}, {@link ErrorLogReader} over {@link UnsafeBuffer}s cut at the offsets the header gives),
 * and prints one line per counter ({@code counter id type worker value label}) and per error
 * ({@code error count first last first-line}). Agrona 2's buffers need
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, which the child gets and the test's JVM does not.
 */
final class AgronaCountersProbe
{
    private AgronaCountersProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        final UnsafeBuffer file = new UnsafeBuffer(mapped);
        System.out.println("magic " + Integer.toHexString(file.getIntVolatile(CountersLayout.MAGIC_OFFSET)) +
            " pid " + file.getLong(CountersLayout.PID_OFFSET));
        final UnsafeBuffer metadata = new UnsafeBuffer(file, file.getInt(CountersLayout.METADATA_OFFSET_OFFSET),
            file.getInt(CountersLayout.METADATA_LENGTH_OFFSET));
        final UnsafeBuffer values = new UnsafeBuffer(file, file.getInt(CountersLayout.VALUES_OFFSET_OFFSET),
            file.getInt(CountersLayout.VALUES_LENGTH_OFFSET));
        final UnsafeBuffer errors = new UnsafeBuffer(file, file.getInt(CountersLayout.ERROR_LOG_OFFSET_OFFSET),
            file.getInt(CountersLayout.ERROR_LOG_LENGTH_OFFSET));

        final CountersReader counters = new CountersReader(metadata, values);
        counters.forEach((CountersReader.MetaData)(id, typeId, key, label) -> System.out.println(
            "counter " + id + " " + typeId + " " + key.getInt(CountersLayout.KEY_WORKER_OFFSET) + " " +
            counters.getCounterValue(id) + " " + label));
        ErrorLogReader.read(errors, (count, first, last, text) -> System.out.println(
            "error " + count + " " + first + " " + last + " " + text.lines().findFirst().orElse("")));
    }
}
