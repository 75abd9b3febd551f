package dev.fulcrum.aeron;

import io.aeron.Aeron;
import io.aeron.ChannelUri;

/**
 * The builders' checks, each failing with the parameter's name and value.
 */
final class Settings
{
    /** Request stream id when none is given. */
    static final int DEFAULT_REQUEST_STREAM_ID = 1001;
    /** Reply stream id when none is given. */
    static final int DEFAULT_REPLY_STREAM_ID = 1002;
    /** Both sides' heartbeat interval when none is given: 50 ms. */
    static final long DEFAULT_HEARTBEAT_INTERVAL_NS = 50_000_000L;
    /** How long either side waits for the other's next message when none is given: 500 ms. */
    static final long DEFAULT_TIMEOUT_NS = 500_000_000L;
    /** How long a link waits for its host's ACK when none is given: 5 s. */
    static final long DEFAULT_CONNECT_TIMEOUT_NS = 5_000_000_000L;

    private Settings()
    {
    }

    static String channel(final String name, final String channel)
    {
        if (null == channel)
        {
            throw new IllegalArgumentException(name + " is required: " + name + "=null");
        }
        try
        {
            ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(
                name + " is not an Aeron channel (" + ex.getMessage() + "): " + name + "=" + channel, ex);
        }
        return channel;
    }

    static long positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + name + "=" + value);
        }
        return value;
    }

    static void timeoutAboveInterval(
        final String timeoutName, final long timeoutNs, final String intervalName, final long intervalNs)
    {
        if (timeoutNs <= intervalNs)
        {
            throw new IllegalArgumentException(timeoutName + " must be more than " + intervalName + ": " +
                timeoutName + "=" + timeoutNs + ", " + intervalName + "=" + intervalNs);
        }
    }

    /**
     * A client of the builder's own, on the given driver directory (or Aeron's default).
     */
    static Aeron connect(final String aeronDirectoryName)
    {
        final Aeron.Context context = new Aeron.Context();
        if (null != aeronDirectoryName)
        {
            context.aeronDirectoryName(aeronDirectoryName);
        }
        return Aeron.connect(context);
    }
}
