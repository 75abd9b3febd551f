package dev.fulcrum.stat.tool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tool's command line: every mistake named with its value, and what each choice selects.
 */
class StatOptionsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseWhatItDoesNotKnowNamingIt()
    {
        assertRefused("unknown option: option=--pdi", "--dir", "d", "--pdi", "3");
        assertRefused("--count must be a whole number >= 1: --count=0", "--dir", "d", "--pid", "3", "--count", "0");
        assertRefused("--pid must be a whole number >= 1: --pid=x", "--dir", "d", "--pid", "x");
        assertRefused("--interval-ms must be a whole number >= 10: --interval-ms=5",
            "--dir", "d", "--interval-ms", "5");
        assertRefused("option needs a value: option=--dir", "--dir");
        assertRefused("--pid or a file, not both: pid=3, file=f", "--dir", "d", "--pid", "3", "f");
        assertRefused("one file at most: file=f, then file=g", "--dir", "d", "f", "g");
    }

    private static void assertRefused(final String message, final String... args)
    {
        final IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> StatOptions.parse(args));
        assertEquals(message, refused.getMessage());
    }

    @Test
    void shouldChooseBetweenListingWatchingAndTheRest()
    {
        final StatOptions list = StatOptions.parse("--dir", dir.toString());
        assertFalse(list.watching());
        assertEquals(dir, list.dir);

        final StatOptions pid = StatOptions.parse("--dir", dir.toString(), "--pid", "42", "--count", "3", "--json");
        assertTrue(pid.watching());
        assertEquals(42, pid.pid);
        assertEquals(3, pid.count);
        assertTrue(pid.json);
        assertEquals(1000, pid.intervalMs);

        final StatOptions byName = StatOptions.parse("--dir", dir.toString(), "fulcrum-1-0.counters");
        assertEquals(dir.resolve("fulcrum-1-0.counters"), byName.file, "a bare name is in the directory");
        final StatOptions byPath = StatOptions.parse(dir.resolve("x/y.counters").toString());
        assertEquals(dir.resolve("x/y.counters"), byPath.file, "a path needs no directory");

        assertFalse(StatOptions.parse("--dir", dir.toString(), "--pid", "42", "--errors").watching());
        assertTrue(StatOptions.parse("--help").help);
    }

    @Test
    void shouldSayWhatIsWrongAndExitWith2OrWith1WhenThereIsNothingToRead() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        final PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertEquals(2, FulcrumStat.run(new String[] {"--bogus"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option: option=--bogus"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: java -jar fulcrum-stat.jar"));

        err.reset();
        assertEquals(1, FulcrumStat.run(new String[] {"--dir", dir.toString(), "--pid", "1", "--count", "1"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no counters file of pid=1 in " + dir),
            () -> err.toString(StandardCharsets.UTF_8));

        out.reset();
        Files.writeString(dir.resolve("fulcrum-1-0.counters"), "not a counters file");
        assertEquals(0, FulcrumStat.run(new String[] {"--dir", dir.toString()}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("fulcrum-1-0.counters"), () -> out.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("unreadable: not a counters file"),
            () -> out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldEscapeJsonStrings()
    {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001\"",
            Json.string(new StringBuilder(), "a\"b\\c\nd\te\u0001").toString());
        assertEquals("null", Json.string(new StringBuilder(), null).toString());
    }
}
