package dev.fulcrum.examples.ingest;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request body on its way to disk: its id (unique in the sink directory, across restarts), how many payloads
 * it has, and how many of them are not yet settled. Every record of the body carries the id, its part number and
 * the count, so that recovery can tell a body that is all on disk from one that is not.
 * <p>
 * Threading: made on the event loop; {@link #settle(boolean)} is called on worker threads, once per payload, after
 * the payload is durable (or has failed); the last call hands the answer to the body's {@link Listener}.
 */
public final class Body
{
    /**
     * Told once, on the worker thread that settled the body's last payload.
     */
    interface Listener
    {
        /**
         * @param body   settled.
         * @param stored true when every payload is durable; false when one failed to be written or forced.
         */
        void onSettled(Body body, boolean stored);
    }

    private final byte[] id;
    private final int parts;
    private final AtomicInteger unsettled;
    private final Listener listener;
    private volatile boolean failed;

    /**
     * @param id       ASCII, no quote or backslash; unique in the sink directory.
     * @param parts    how many payloads.
     * @param listener told when every payload is settled; null when nobody waits (queued acknowledgement).
     */
    Body(final String id, final int parts, final Listener listener)
    {
        this.id = id.getBytes(StandardCharsets.US_ASCII);
        this.parts = parts;
        this.unsettled = new AtomicInteger(parts);
        this.listener = listener;
    }

    /**
     * @return the id as ASCII bytes: do not change them.
     */
    public byte[] id()
    {
        return id;
    }

    /**
     * @return how many payloads the body has.
     */
    public int parts()
    {
        return parts;
    }

    /**
     * One payload of this body is durable ({@code stored}) or lost; the last one tells the listener.
     *
     * @param stored whether the payload is on disk.
     */
    void settle(final boolean stored)
    {
        if (!stored)
        {
            failed = true;
        }
        if (0 == unsettled.decrementAndGet() && null != listener)
        {
            listener.onSettled(this, !failed);
        }
    }

    @Override
    public String toString()
    {
        return new String(id, StandardCharsets.US_ASCII) + "/" + parts;
    }
}
