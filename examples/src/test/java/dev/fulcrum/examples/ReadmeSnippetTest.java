package dev.fulcrum.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's snippet is the code of {@link QuickStart}, and that code runs.
 */
class ReadmeSnippetTest
{
    private static final String START = "// readme-snippet-start";
    private static final String END = "// readme-snippet-end";

    @Test
    void shouldShowQuickStartVerbatimInTheReadme() throws Exception
    {
        final String source = Files.readString(Path.of("src/main/java/dev/fulcrum/examples/QuickStart.java"));
        final String snippet = strip(source.substring(source.indexOf(START) + START.length(), source.indexOf(END)));
        final String readme = strip(Files.readString(Path.of("../README.md")));
        assertTrue(readme.contains(snippet), "README.md must show QuickStart's snippet as it is compiled:\n" + snippet);
    }

    @Test
    void shouldShowExecutorQuickStartVerbatimInTheReadmeAndRunIt() throws Exception
    {
        final String source = Files.readString(Path.of("src/main/java/dev/fulcrum/examples/ExecutorQuickStart.java"));
        final String start = "// readme-executor-start";
        final String snippet = strip(source.substring(source.indexOf(start) + start.length(),
            source.indexOf("// readme-executor-end")));
        final String readme = strip(Files.readString(Path.of("../README.md")));
        assertTrue(readme.contains(snippet), "README.md must show ExecutorQuickStart's snippet as compiled:\n" + snippet);

        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            ExecutorQuickStart.main(new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("supplyAsync -> 8"), out);
        assertTrue(out.contains("account 0 -> 2550, account 1 -> 2500"), out);
    }

    @Test
    void shouldPrintEveryReplyWhenQuickStartRuns() throws Exception
    {
        final String out = runQuickStart();
        for (final String line : new String[]{"ring -> 4", "heap -> 4", "balancer -> 8", "future -> 6"})
        {
            assertTrue(out.contains(line), () -> "missing '" + line + "' in:\n" + out);
        }
    }

    @Test
    void shouldPrintUsageAndRunNothingWhenQuickStartIsAskedForHelp() throws Exception
    {
        final String out = runQuickStart("--help");
        assertTrue(out.startsWith("usage:"), out);
        assertTrue(!out.contains("->"), () -> "--help ran the balancer:\n" + out);
    }

    @Test
    void shouldRefuseAnArgumentQuickStartDoesNotTake()
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> QuickStart.parse("--workers=4"));
        assertTrue(ex.getMessage().contains("unknown option: --workers"), ex::getMessage);
    }

    /**
     * @return what {@code QuickStart.main(args)} printed on standard output.
     */
    private static String runQuickStart(final String... args) throws Exception
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            QuickStart.main(args);
        }
        finally
        {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
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
