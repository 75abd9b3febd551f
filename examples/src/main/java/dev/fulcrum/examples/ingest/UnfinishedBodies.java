package dev.fulcrum.examples.ingest;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The budget for bytes of bodies still arriving, all connections together ({@code MAX_UNFINISHED_BYTES}): what
 * keeps 300 half-sent 1 MiB bodies from holding 300 MiB. Each connection charges its body's bytes as they arrive and
 * gives them back when the body is complete (it then counts against the queue's budget instead) or the connection
 * closes.
 * <p>
 * Past the budget the <em>oldest</em> unfinished body is refused (503, connection closed), not the newest: a
 * client that sends a body at once is never the oldest for long, while one that sends half a body and waits soon
 * is, so the budget cannot be held against fresh traffic by connections that stopped sending. (All clients may
 * come from one address, so no per-address rule would tell them apart.) Only when the newest body is itself the
 * oldest, or larger than the budget alone, is it the one refused.
 * <p>
 * Threading: any event loop; one lock, taken once per chunk of body read and once per body finished. Eviction is
 * decided under the lock and carried out on the evicted connection's own event loop.
 */
final class UnfinishedBodies
{
    private final long maxBytes;
    private final LinkedHashSet<ConnectionGuard> byAge = new LinkedHashSet<>(); // oldest first; guarded by this
    private long usedBytes; // guarded by this

    /**
     * @param maxBytes the budget; at least {@code MAX_BODY_BYTES}, so a body alone always fits.
     */
    UnfinishedBodies(final long maxBytes)
    {
        this.maxBytes = maxBytes;
    }

    /**
     * Charge bytes of a body arriving on {@code guard}, evicting older unfinished bodies if that makes room.
     *
     * @param guard the connection's guard.
     * @param bytes arrived.
     * @return true when charged; false when this body is the one to refuse (nothing charged).
     */
    synchronized boolean tryCharge(final ConnectionGuard guard, final int bytes)
    {
        if (usedBytes + bytes > maxBytes)
        {
            final Iterator<ConnectionGuard> oldest = byAge.iterator();
            while (usedBytes + bytes > maxBytes && oldest.hasNext())
            {
                final ConnectionGuard victim = oldest.next();
                if (victim == guard)
                {
                    break; // this body is the oldest: refuse it, keep the younger ones
                }
                oldest.remove();
                usedBytes -= victim.unfinishedBytes;
                victim.unfinishedBytes = 0;
                victim.evict(victim.bodySeq);
            }
            if (usedBytes + bytes > maxBytes)
            {
                return false;
            }
        }
        if (0 == guard.unfinishedBytes)
        {
            byAge.add(guard);
        }
        guard.unfinishedBytes += bytes;
        usedBytes += bytes;
        return true;
    }

    /**
     * Give back what {@code guard}'s body holds: it is complete, refused, or its connection closed.
     *
     * @param guard the connection's guard.
     */
    synchronized void release(final ConnectionGuard guard)
    {
        if (0 != guard.unfinishedBytes)
        {
            byAge.remove(guard);
            usedBytes -= guard.unfinishedBytes;
            guard.unfinishedBytes = 0;
        }
    }

    /**
     * @return bytes of unfinished bodies now.
     */
    synchronized long usedBytes()
    {
        return usedBytes;
    }
}
