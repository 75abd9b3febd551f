package dev.fulcrum.aeron;

import io.aeron.Aeron;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aeron 1.51.0 was built on Agrona 2.4.1; the build puts the core's Agrona in its place. One Agrona jar on the
 * class path, the core's, is what every other test of this module runs Aeron on.
 */
class SingleAgronaTest
{
    @Test
    void shouldHaveOneAgronaOnTheClassPathAndItIsTheCores()
    {
        final List<String> agronas = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(entry -> new File(entry).getName())
            .filter(name -> name.startsWith("agrona-"))
            .collect(Collectors.toList());
        final String expected = "agrona-" + System.getProperty("fulcrum.aeron.agronaVersion", "2.6.0") + ".jar";
        assertEquals(List.of(expected), agronas);

        final String agronaJar = Agent.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(agronaJar.endsWith(expected), agronaJar);
        final String aeronJar = Aeron.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(aeronJar.endsWith("aeron-client-1.51.0.jar"), aeronJar);
    }
}
