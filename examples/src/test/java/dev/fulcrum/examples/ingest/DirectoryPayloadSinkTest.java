package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DirectoryPayloadSinkTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteOnePayloadPerLineWhenPayloadsHoldNewlinesOrOutgrowTheBuffer() throws Exception
    {
        final String big = "{\"id\":\"big\",\"pad\":\"" + "x".repeat(3 * DirectoryPayloadSink.BUFFER_BYTES) + "\"}";
        final List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 1_000; i++)
        {
            payloads.add("{\"id\":\"p" + i + "\",\r\n \"v\":[1,\n2]}");
        }
        payloads.add(500, big);

        try (DirectoryPayloadSink sink = new DirectoryPayloadSink(dir.resolve("nested/out")))
        {
            final PayloadSink.Writer a = sink.openWriter("w0");
            final PayloadSink.Writer b = sink.openWriter("w1");
            for (int i = 0; i < payloads.size(); i++)
            {
                final byte[] bytes = ("--" + payloads.get(i) + "--").getBytes(StandardCharsets.UTF_8);
                (i % 2 == 0 ? a : b).write(bytes, 2, bytes.length - 4);
                if (i % 97 == 0)
                {
                    a.flush();
                }
            }
            a.close();
            b.close();
        }

        final List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("nested/out")))
        {
            for (final Path file : files.sorted().collect(Collectors.toList()))
            {
                lines.addAll(Files.readAllLines(file));
            }
        }
        final List<String> expected = payloads.stream()
            .map(p -> p.replace('\r', ' ').replace('\n', ' '))
            .sorted().collect(Collectors.toList());
        lines.sort(null);
        assertEquals(expected, lines);
        assertEquals(payloads.size(), IngestServerTest.ids(lines).size());
    }
}
