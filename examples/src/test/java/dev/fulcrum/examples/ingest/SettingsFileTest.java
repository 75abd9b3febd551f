package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settings file's format ({@link SettingsFile}), how it is laid over the environment at start
 * ({@link IngestConfig#from}), and what a new content means for a running server ({@link SettingsChange}).
 */
class SettingsFileTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadKeyValueLinesWhenCommentsBlanksSpacesAndCrLfAreMixedIn()
    {
        final Map<String, String> settings =
            SettingsFile.parse("# the pool\r\n\r\n  WORKERS = 3  \r\nMAX_QUEUE=8192\n#WORKERS=9\nPOLICY=a=b\n");

        assertEquals(Map.of("WORKERS", "3", "MAX_QUEUE", "8192", "POLICY", "a=b"), settings);
        assertEquals(List.of("WORKERS", "MAX_QUEUE", "POLICY"), List.copyOf(settings.keySet()));
        assertEquals(Map.of(), SettingsFile.parse(""));
    }

    @Test
    void shouldRefuseNamingLineKeyAndValueWhenALineIsNotAKnownKeyGivenOnce()
    {
        assertParseRefused("settings file line 2 is not KEY=value: line=WORKERS 3", "# x\nWORKERS 3\n");
        assertParseRefused("settings file line 1 is not KEY=value: line==3", "=3");
        assertParseRefused("settings file line 1 has an unknown key (see --help for the settings): WORKER=3",
            "WORKER=3");
        assertParseRefused("settings file line 1 has an unknown key (it comes from the environment only): " +
            "SETTINGS_FILE=/etc/other", "SETTINGS_FILE=/etc/other");
        assertParseRefused("settings file line 3 sets WORKERS again (first on line 1): WORKERS=4",
            "WORKERS=2\nMAX_QUEUE=64\nWORKERS=4");
    }

    @Test
    void shouldRefuseTheFileWhenItIsMissingTooLargeOrNotUtf8() throws IOException
    {
        assertThrows(NoSuchFileException.class, () -> SettingsFile.read(dir.resolve("none")));
        final Path large = Files.writeString(dir.resolve("large"), "#".repeat(SettingsFile.MAX_BYTES + 1));
        assertTrue(assertThrows(IOException.class, () -> SettingsFile.read(large)).getMessage()
            .startsWith("the settings file is larger than 65536 bytes"));
        final Path latin1 = Files.write(dir.resolve("latin1"), "POLICY=caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("the settings file is not UTF-8 text",
            assertThrows(IOException.class, () -> SettingsFile.read(latin1)).getMessage());
    }

    @Test
    void shouldLayTheFileOverTheEnvironmentAndUnderTheOptionsWhenStarting() throws IOException
    {
        final Path file = write("WORKERS=3\nMAX_QUEUE=100\nPORT=9001\n");
        final Map<String, String> env = env(file, "MAX_WORKERS", "4", "MAX_QUEUE", "16", "PORT", "9000");

        final IngestConfig config = IngestConfig.from(env);
        final IngestConfig withOption = IngestConfig.from(env, "--port", "9002");

        assertEquals(4, config.maxWorkers());
        assertEquals(3, config.workers());
        assertEquals(128, config.ringSize());
        assertEquals(9001, config.port());
        assertEquals(9002, withOption.port());
        assertEquals(file, config.settingsFile());
        assertEquals(1000, config.settingsPollMs());
        assertEquals(Map.of("WORKERS", "3", "MAX_QUEUE", "100", "PORT", "9001"), config.sources().file());
    }

    @Test
    void shouldStartWithWorkersAtCapacityAndNoFileWhenNeitherIsSet()
    {
        final IngestConfig config = IngestConfig.from(Map.of("MAX_WORKERS", "3"));

        assertEquals(3, config.workers());
        assertNull(config.settingsFile());
        assertEquals(2, IngestConfig.from(Map.of("MAX_WORKERS", "3", "WORKERS", "2")).workers());
        assertStartRefused("WORKERS must be in 1..3: WORKERS=4", Map.of("MAX_WORKERS", "3", "WORKERS", "4"));
        assertStartRefused("WORKERS must be in 1..3: WORKERS=0", Map.of("MAX_WORKERS", "3", "WORKERS", "0"));
        assertStartRefused("SETTINGS_POLL_MS must be in 10..3600000: SETTINGS_POLL_MS=1",
            Map.of("SETTINGS_POLL_MS", "1"));
    }

    @Test
    void shouldRefuseToStartNamingTheFileWhenItIsMissingOrBad() throws IOException
    {
        final Path missing = dir.resolve("missing.properties");
        final Path bad = write("WORKERS=lots\n");
        final Path unknown = write("WORKER=2\n");

        final String missingMessage = assertThrows(IllegalArgumentException.class,
            () -> IngestConfig.from(env(missing))).getMessage();
        assertTrue(missingMessage.startsWith("the settings file cannot be read (java.nio.file.NoSuchFileException"),
            missingMessage);
        assertTrue(missingMessage.endsWith("SETTINGS_FILE=" + missing), missingMessage);
        assertStartRefused("WORKERS must be a whole number: WORKERS=lots", env(bad));
        assertStartRefused("settings file line 1 has an unknown key (see --help for the settings): WORKER=2 (in " +
            "SETTINGS_FILE=" + unknown + ")", env(unknown));
        assertStartRefused("SETTINGS_FILE must not be blank: SETTINGS_FILE= ", Map.of("SETTINGS_FILE", " "));
    }

    @Test
    void shouldAskForTheNewSizeWhenWorkersChangesWithinTheCapacity() throws IOException
    {
        final IngestConfig started = IngestConfig.from(env(write("WORKERS=2\n"), "MAX_WORKERS", "4"));

        assertEquals(new SettingsChange(4, List.of()), SettingsChange.of(started, Map.of("WORKERS", "4")));
        assertEquals(new SettingsChange(1, List.of()), SettingsChange.of(started, Map.of("WORKERS", " 1")));
        assertEquals(new SettingsChange(2, List.of()), SettingsChange.of(started, Map.of("WORKERS", "2")));
        // no WORKERS anywhere: the default, as at start, is the capacity
        assertEquals(new SettingsChange(4, List.of()), SettingsChange.of(started, Map.of()));
    }

    @Test
    void shouldFallBackToTheEnvironmentsWorkersWhenTheFileNoLongerSetsIt() throws IOException
    {
        final IngestConfig started =
            IngestConfig.from(env(write("WORKERS=1\n"), "MAX_WORKERS", "4", "WORKERS", "3"));

        assertEquals(1, started.workers());
        assertEquals(new SettingsChange(3, List.of()), SettingsChange.of(started, Map.of()));
    }

    @Test
    void shouldRefuseNamingKeyAndValueWhenANewValueIsBadOrOverTheCapacity() throws IOException
    {
        final IngestConfig started = IngestConfig.from(env(write("WORKERS=2\n"), "MAX_WORKERS", "4"));

        assertChangeRefused("WORKERS must be a whole number: WORKERS=lots", started, Map.of("WORKERS", "lots"));
        assertChangeRefused("WORKERS must be in 1..4: WORKERS=0", started, Map.of("WORKERS", "0"));
        assertChangeRefused("WORKERS must be in 1..4: WORKERS=5", started, Map.of("WORKERS", "5"));
        assertChangeRefused("WORKERS must be in 1..4 (the MAX_WORKERS this server started with; a new MAX_WORKERS " +
            "needs a restart): WORKERS=6", started, Map.of("MAX_WORKERS", "8", "WORKERS", "6"));
        assertChangeRefused("MAX_QUEUE must be a whole number: MAX_QUEUE=lots", started,
            Map.of("WORKERS", "3", "MAX_QUEUE", "lots"));
        assertChangeRefused("ACK_MODE must be queued or durable: ACK_MODE=never", started,
            Map.of("ACK_MODE", "never"));
    }

    @Test
    void shouldListWhatNeedsARestartWhenOtherSettingsChange() throws IOException
    {
        final IngestConfig started =
            IngestConfig.from(env(write("WORKERS=2\nMAX_QUEUE=1000\n"), "MAX_WORKERS", "4", "PORT", "0"));

        assertEquals(new SettingsChange(3, List.of("MAX_QUEUE=8192", "PORT=9000")),
            SettingsChange.of(started, ordered("WORKERS", "3", "MAX_QUEUE", "8192", "PORT", "9000")));
        // the same ring (1000 and 1024 round to 1024), the same port as the environment's: nothing to restart for
        assertEquals(new SettingsChange(2, List.of()),
            SettingsChange.of(started, ordered("WORKERS", "2", "MAX_QUEUE", "1024", "PORT", "0")));
        // MAX_QUEUE no longer set: the default (4096) would apply at a restart
        assertEquals(new SettingsChange(2, List.of("MAX_QUEUE=")), SettingsChange.of(started, Map.of("WORKERS", "2")));
        // a new capacity needs a restart; the size without WORKERS stays the running capacity
        assertEquals(new SettingsChange(4, List.of("MAX_WORKERS=8")),
            SettingsChange.of(started, ordered("MAX_QUEUE", "1000", "MAX_WORKERS", "8")));
    }

    private Path write(final String text) throws IOException
    {
        return Files.writeString(Files.createTempFile(dir, "settings", ".properties"), text);
    }

    private static Map<String, String> env(final Path file, final String... more)
    {
        final Map<String, String> env = ordered(more);
        env.put("SETTINGS_FILE", file.toString());
        return env;
    }

    private static Map<String, String> ordered(final String... keyValues)
    {
        final Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static void assertParseRefused(final String message, final String text)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SettingsFile.parse(text))
            .getMessage());
    }

    private static void assertStartRefused(final String message, final Map<String, String> env)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> IngestConfig.from(env))
            .getMessage());
    }

    private static void assertChangeRefused(final String message, final IngestConfig started,
        final Map<String, String> file)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
            () -> SettingsChange.of(started, new HashMap<>(file))).getMessage());
    }
}
