package dev.fulcrum.examples.ingest;

import java.util.Locale;

/**
 * When a body is answered 202 ({@code ACK_MODE}).
 */
public enum AckMode
{
    /** Once every payload of the body is queued in memory (Castilho's server): a crash loses what is queued. */
    QUEUED,
    /** Once every payload of the body is written and forced to disk: a crash loses nothing that was answered 202. */
    DURABLE;

    /**
     * @return the name as written in {@code ACK_MODE}.
     */
    public String text()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    static AckMode parse(final String text)
    {
        for (final AckMode mode : values())
        {
            if (mode.text().equals(text.trim().toLowerCase(Locale.ROOT)))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("ACK_MODE must be queued or durable: ACK_MODE=" + text);
    }
}
