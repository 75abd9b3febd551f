package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings file's format: UTF-8 text, one {@code KEY=value} per line, the names of {@link IngestConfig#KEYS};
 * blank lines and lines starting with {@code #} are skipped, and spaces around the key and the value are dropped.
 * Stricter than {@link java.util.Properties} on purpose: a line without {@code =}, a name the server does not know
 * (a typo of {@code WORKERS} would otherwise be ignored without a word) and a name given twice are refused, each
 * with a message naming the line, the key and the value, so that a bad file changes nothing.
 */
final class SettingsFile
{
    /** Largest settings file read: a few dozen lines are expected. */
    static final int MAX_BYTES = 64 * 1024;

    private SettingsFile()
    {
    }

    /**
     * @param file the settings file.
     * @return its text.
     * @throws IOException when it cannot be read ({@link java.nio.file.NoSuchFileException} when it is missing),
     *                     is larger than {@link #MAX_BYTES}, or is not UTF-8.
     */
    static String read(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length > MAX_BYTES)
        {
            throw new IOException("the settings file is larger than " + MAX_BYTES + " bytes: bytes=" + bytes.length);
        }
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new IOException("the settings file is not UTF-8 text", ex);
        }
    }

    /**
     * @param text the file's content.
     * @return every setting, in file order; values as written (checked by {@link IngestConfig}).
     * @throws IllegalArgumentException naming the line, key and value of the first line that is not
     *                                  {@code KEY=value} with a known key given once.
     */
    static Map<String, String> parse(final String text)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        final Map<String, Integer> lineOf = new LinkedHashMap<>();
        final String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final int lineNumber = i + 1;
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int equals = line.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException(
                    "settings file line " + lineNumber + " is not KEY=value: line=" + line);
            }
            final String key = line.substring(0, equals).strip();
            final String value = line.substring(equals + 1).strip();
            if (!IngestConfig.KEYS.contains(key))
            {
                throw new IllegalArgumentException("settings file line " + lineNumber + " has an unknown key (" +
                    (IngestConfig.SETTINGS_FILE.equals(key) ? "it comes from the environment only" :
                    "see --help for the settings") + "): " + key + "=" + value);
            }
            final Integer first = lineOf.putIfAbsent(key, lineNumber);
            if (null != first)
            {
                throw new IllegalArgumentException("settings file line " + lineNumber + " sets " + key +
                    " again (first on line " + first + "): " + key + "=" + value);
            }
            settings.put(key, value);
        }
        return settings;
    }
}
