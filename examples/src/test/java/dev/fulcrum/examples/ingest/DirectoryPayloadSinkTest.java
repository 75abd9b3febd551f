package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DirectoryPayloadSinkTest
{
    @TempDir
    Path dir;

    @Test
    void shouldWriteOneRecordPerLineWhenPayloadsHoldNewlinesOrOutgrowTheBuffer() throws Exception
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
                (i % 2 == 0 ? a : b).write(payload("body" + i, 0, 1, payloads.get(i)));
                if (i % 97 == 0)
                {
                    a.flush();
                    a.force();
                }
            }
            a.close();
            b.close();
        }

        final List<String> expected = payloads.stream()
            .map(p -> p.replace('\r', ' ').replace('\n', ' '))
            .sorted().collect(Collectors.toList());
        final List<String> lines = SinkFiles.payloads(dir.resolve("nested/out"));
        lines.sort(null);
        assertEquals(expected, lines);
        assertEquals(payloads.size(), IngestServerTest.ids(lines).size());
    }

    @Test
    void shouldCutTornTailsAndDropPartBodiesWhenReopened() throws Exception
    {
        try (DirectoryPayloadSink sink = new DirectoryPayloadSink(dir))
        {
            final PayloadSink.Writer a = sink.openWriter("w0");
            final PayloadSink.Writer b = sink.openWriter("w1");
            a.write(payload("whole", 0, 2, "{\"id\":\"whole-0\"}"));
            b.write(payload("whole", 1, 2, "{\"id\":\"whole-1\"}"));
            a.write(payload("part", 0, 3, "{\"id\":\"part-0\"}")); // part 1 never written, part 2 torn
            a.write(payload("single", 0, 1, "{\"id\":\"single-0\"}"));
            b.write(payload("part", 2, 3, "{\"id\":\"part-2\"}"));
            a.close();
            b.close();
        }
        final List<Path> files = Files.list(dir).sorted().collect(Collectors.toList());
        tearTail(files.get(1), 5); // w1: "part-2" loses its last bytes and newline
        Files.write(files.get(0), "{\"body\":\"junk\",\"part\":0,\"of\":1,\"payload\":{},\"crc\":1}\n{\"bo"
            .getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND); // bad CRC, then a torn line

        final DirectoryPayloadSink reopened = new DirectoryPayloadSink(dir);

        final SinkRecovery.Result recovery = reopened.recovery();
        assertEquals(new SinkRecovery.Result(2, 2, 3, 1, 1, 2, recovery.cutBytes()), recovery);
        assertEquals(List.of("whole-0", "single-0", "whole-1"), IngestServerTest.ids(SinkFiles.payloads(dir)));
        final SinkRecovery.Result again = new DirectoryPayloadSink(dir).recovery();
        assertEquals(new SinkRecovery.Result(2, 2, 3, 0, 0, 0, 0), again, "recovery leaves nothing to do");
    }

    private static void tearTail(final Path file, final int bytes) throws Exception
    {
        final byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - bytes));
    }

    private static Payload payload(final String bodyId, final int part, final int parts, final String json)
    {
        final byte[] bytes = ("--" + json + "--").getBytes(StandardCharsets.UTF_8);
        final Payload payload = new Payload(bytes, 2, bytes.length - 4);
        payload.belongTo(new Body(bodyId, parts, null), part);
        return payload;
    }
}
