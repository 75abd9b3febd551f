package dev.fulcrum.spi;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Writing a policy" shows {@link LastRoundTrip} and {@link LastRoundTripContractTest} as they are
 * compiled and run here.
 */
class ReadmePolicyTest
{
    @Test
    void shouldShowTheExamplePolicyAndItsContractTestAsCompiled() throws IOException
    {
        final String readme = strip(Files.readString(Path.of("../README.md")));
        for (final String[] part : new String[][]{
            {"LastRoundTrip.java", "// readme-policy-start", "// readme-policy-end"},
            {"LastRoundTripContractTest.java", "// readme-contract-start", "// readme-contract-end"}})
        {
            final String source = Files.readString(Path.of("src/test/java/dev/fulcrum/spi", part[0]));
            final String snippet = strip(source.substring(source.indexOf(part[1]) + part[1].length(),
                source.indexOf(part[2])));
            assertTrue(readme.contains(snippet), "README.md must show " + part[0] + " as compiled:\n" + snippet);
        }
    }

    /**
     * Compare code, not indentation: every line trimmed, blank lines dropped.
     */
    private static String strip(final String text)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            final String trimmed = line.trim();
            if (!trimmed.isEmpty())
            {
                sb.append(trimmed).append('\n');
            }
        }
        return sb.toString();
    }
}
