package dev.fulcrum.aeron;

import dev.fulcrum.Task;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostCommandLineTest
{
    /** A task class for {@code --task}. */
    public static final class Reverse implements Task<byte[], byte[]>
    {
        @Override
        public byte[] execute(final byte[] request)
        {
            final byte[] result = new byte[request.length];
            for (int i = 0; i < request.length; i++)
            {
                result[i] = request[request.length - 1 - i];
            }
            return result;
        }
    }

    @Test
    void shouldReadKnownOptions()
    {
        final Map<String, String> options = HostCommandLine.parse(new String[]{
            "--request-channel=aeron:udp?endpoint=localhost:1", "--heartbeat-ms=20" });
        assertEquals("aeron:udp?endpoint=localhost:1", options.get("request-channel"));
        assertEquals("20", options.get("heartbeat-ms"));
    }

    @Test
    void shouldRefuseUnknownOrMalformedOptions()
    {
        assertEquals("unknown option: heartbeat=20",
            assertThrows(IllegalArgumentException.class,
                () -> HostCommandLine.parse(new String[]{ "--heartbeat=20" })).getMessage());
        assertEquals("options look like --name=value: arg=--task",
            assertThrows(IllegalArgumentException.class,
                () -> HostCommandLine.parse(new String[]{ "--task" })).getMessage());
    }

    @Test
    void shouldMakeTheEchoTaskOrATaskClass() throws Exception
    {
        assertArrayEquals(new byte[]{ 1, 2 }, HostCommandLine.task("echo").execute(new byte[]{ 1, 2 }));
        assertArrayEquals(new byte[]{ 2, 1 }, HostCommandLine.task(Reverse.class.getName()).execute(new byte[]{ 1, 2 }));

        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> HostCommandLine.task("no.such.Task"));
        assertTrue(missing.getMessage().endsWith("task=no.such.Task"), missing.getMessage());
        assertEquals("the task class does not implement dev.fulcrum.Task: task=java.lang.String",
            assertThrows(IllegalArgumentException.class, () -> HostCommandLine.task("java.lang.String")).getMessage());
    }
}
