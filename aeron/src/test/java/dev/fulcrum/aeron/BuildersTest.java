package dev.fulcrum.aeron;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Bad settings fail on the caller's thread, naming the setting and its value.
 */
class BuildersTest
{
    private static TestDriver driver;

    @BeforeAll
    static void launch()
    {
        driver = TestDriver.launch();
    }

    @AfterAll
    static void close()
    {
        driver.close();
    }

    private static AeronWorkerLinkBuilder<byte[], byte[]> link()
    {
        return AeronWorkerLink.builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel("aeron:ipc")
            .replyChannel("aeron:ipc");
    }

    private static AeronWorkerHostBuilder<byte[], byte[]> host()
    {
        return AeronWorkerHost.builder((byte[] request) -> request, ByteArrayCodec.reusing(), ByteArrayCodec.allocating())
            .aeron(driver.aeron())
            .requestChannel("aeron:ipc")
            .replyChannel("aeron:ipc");
    }

    private static void assertRefused(final String message, final Executable build)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    @Test
    void shouldRefuseAMissingOrMalformedChannel()
    {
        assertRefused("requestChannel is required: requestChannel=null", () -> link().requestChannel(null).build());
        assertRefused("replyChannel is required: replyChannel=null", () -> host().replyChannel(null).build());
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> link().replyChannel("udp://localhost:1").build());
        assertEquals(true, error.getMessage().startsWith("replyChannel is not an Aeron channel"), error.getMessage());
        assertEquals(true, error.getMessage().endsWith("replyChannel=udp://localhost:1"), error.getMessage());
    }

    @Test
    void shouldRefuseTimesThatCannotWork()
    {
        assertRefused("heartbeatIntervalNs must be positive: heartbeatIntervalNs=0",
            () -> link().heartbeatInterval(0, TimeUnit.MILLISECONDS).build());
        assertRefused("connectTimeoutNs must be positive: connectTimeoutNs=-1000000",
            () -> link().connectTimeout(-1, TimeUnit.MILLISECONDS).build());
        assertRefused("heartbeatTimeoutNs must be more than heartbeatIntervalNs: heartbeatTimeoutNs=50000000, " +
            "heartbeatIntervalNs=50000000",
            () -> link().heartbeatTimeout(50, TimeUnit.MILLISECONDS).build());
        assertRefused("balancerTimeoutNs must be positive: balancerTimeoutNs=0",
            () -> host().balancerTimeout(0, TimeUnit.SECONDS).build());
    }

    @Test
    void shouldRefuseNullsByName()
    {
        assertEquals("requestCodec", assertThrows(NullPointerException.class,
            () -> AeronWorkerLink.builder(null, ByteArrayCodec.allocating())).getMessage());
        assertEquals("task", assertThrows(NullPointerException.class,
            () -> AeronWorkerHost.builder(null, ByteArrayCodec.reusing(), ByteArrayCodec.allocating())).getMessage());
        assertEquals("nanoClock", assertThrows(NullPointerException.class, () -> link().nanoClock(null)).getMessage());
    }

    @Test
    void shouldNameTheLinkAfterItsRequestStreamUnlessNamed()
    {
        assertEquals("aeron:ipc stream 1001", link().build().name());
        assertEquals("host-a", link().name("host-a").build().name());
    }
}
