package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Reads what a {@link DirectoryPayloadSink} wrote, checking that every line is a whole record.
 */
final class SinkFiles
{
    /** One record: its body, part and count, and the payload as the client sent it. */
    record Entry(String bodyId, int part, int parts, String payload)
    {
    }

    private SinkFiles()
    {
    }

    static List<Entry> entries(final Path dir) throws IOException
    {
        final List<Entry> entries = new ArrayList<>();
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir))
        {
            files = list.filter(f -> f.toString().endsWith(".ndjson")).sorted().collect(Collectors.toList());
        }
        for (final Path file : files)
        {
            for (final String line : Files.readAllLines(file))
            {
                final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                final PayloadRecord.Parsed parsed = PayloadRecord.parse(bytes, 0, bytes.length);
                assertNotNull(parsed, "a whole record: " + file.getFileName() + ": " + line);
                entries.add(new Entry(parsed.bodyId(), parsed.part(), parsed.parts(),
                    new String(bytes, parsed.payloadOffset(), parsed.payloadLength(), StandardCharsets.UTF_8)));
            }
        }
        return entries;
    }

    /**
     * @return the payloads, in file order.
     */
    static List<String> payloads(final Path dir) throws IOException
    {
        return entries(dir).stream().map(Entry::payload).collect(Collectors.toList());
    }
}
