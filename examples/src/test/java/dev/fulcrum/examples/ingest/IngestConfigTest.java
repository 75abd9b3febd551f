package dev.fulcrum.examples.ingest;

import dev.fulcrum.ThreadingMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IngestConfigTest
{
    @Test
    void shouldUseDefaultsWhenEnvironmentIsEmpty()
    {
        final IngestConfig config = IngestConfig.from(Map.of());

        assertEquals(8080, config.port());
        assertEquals(2, config.maxWorkers());
        assertEquals(2, config.workers());
        assertEquals(null, config.settingsFile());
        assertEquals(4096, config.ringSize());
        assertEquals(Math.max(1 << 20, Runtime.getRuntime().maxMemory() / 4), config.maxQueueBytes());
        assertEquals(1 << 20, config.maxBodyBytes());
        assertEquals("leastLoaded", config.policy().name());
        assertEquals(ThreadingMode.SHARED, config.threadingMode());
        assertEquals(Path.of("ingest-data"), config.sinkDirectory());
        assertEquals(AckMode.DURABLE, config.ackMode());
        assertEquals(256, config.maxPending());
        assertEquals(16, IngestConfig.from(Map.of("ACK_MODE", "queued")).maxPending());
        assertEquals(4096, config.maxConnections());
        assertEquals(5_000, config.headerTimeoutMs());
        assertEquals(15_000, config.bodyTimeoutMs());
        assertEquals(60_000, config.idleTimeoutMs());
        assertEquals(Math.max(4L << 20, Runtime.getRuntime().maxMemory() / 8), config.maxUnfinishedBytes());
    }

    @Test
    void shouldRoundMaxQueueUpToAPowerOfTwoWhenItIsNotOne()
    {
        assertEquals(2, ringSize("1"));
        assertEquals(2, ringSize("2"));
        assertEquals(4, ringSize("3"));
        assertEquals(1024, ringSize("1000"));
        assertEquals(1024, ringSize("1024"));
        assertEquals(2048, ringSize("1025"));
        assertEquals(IngestConfig.MAX_RING_SIZE, ringSize(Integer.toString(IngestConfig.MAX_RING_SIZE)));
    }

    @Test
    void shouldRejectWithTheVariableAndValueWhenASettingIsMalformed()
    {
        assertMessage("MAX_QUEUE must be in 1..4194304: MAX_QUEUE=0", Map.of("MAX_QUEUE", "0"));
        assertMessage("MAX_QUEUE must be in 1..4194304: MAX_QUEUE=4194305", Map.of("MAX_QUEUE", "4194305"));
        assertMessage("MAX_QUEUE must be a whole number: MAX_QUEUE=lots", Map.of("MAX_QUEUE", "lots"));
        assertMessage("MAX_WORKERS must be in 1..1024: MAX_WORKERS=0", Map.of("MAX_WORKERS", "0"));
        assertMessage("MAX_QUEUE_BYTES must be in 2048..9223372036854775807: MAX_QUEUE_BYTES=1000",
            Map.of("MAX_BODY_BYTES", "2048", "MAX_QUEUE_BYTES", "1000"));
        assertMessage("PORT must be in 0..65535: PORT=70000", Map.of("PORT", "70000"));
        assertMessage("ACK_MODE must be queued or durable: ACK_MODE=never", Map.of("ACK_MODE", "never"));
        assertMessage("HEADER_TIMEOUT_MS must be in 10..3600000: HEADER_TIMEOUT_MS=0", Map.of("HEADER_TIMEOUT_MS", "0"));
        assertMessage("MAX_UNFINISHED_BYTES must be in 1048576..9223372036854775807: MAX_UNFINISHED_BYTES=10",
            Map.of("MAX_UNFINISHED_BYTES", "10"));
        assertMessage("THREADING must be SHARED or DEDICATED: THREADING=INVOKER", Map.of("THREADING", "INVOKER"));
        assertMessage("POLICY must be one of [leastLoaded, roundRobin, powerOfTwoChoices, joinIdleQueue, peakEwma]: " +
            "POLICY=random",
            Map.of("POLICY", "random"));
    }

    @Test
    void shouldPreferOptionsWhenBothOptionsAndEnvironmentGiveAPort()
    {
        final Map<String, String> env = Map.of("PORT", "9000", "SINK_DIR", "/tmp/a");

        assertEquals(0, IngestConfig.from(env, "--port", "0").port());
        assertEquals(9001, IngestConfig.from(env, "--port=9001", "--dir=/tmp/b").port());
        assertEquals(Path.of("/tmp/b"), IngestConfig.from(env, "--dir", "/tmp/b").sinkDirectory());
        assertEquals(9000, IngestConfig.from(env).port());
        assertMessage("unknown option: arg=--verbose", env, "--verbose");
    }

    private static int ringSize(final String maxQueue)
    {
        return IngestConfig.from(Map.of("MAX_QUEUE", maxQueue)).ringSize();
    }

    private static void assertMessage(final String message, final Map<String, String> env, final String... args)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> IngestConfig.from(env, args))
            .getMessage());
    }
}
