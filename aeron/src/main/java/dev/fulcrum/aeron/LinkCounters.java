package dev.fulcrum.aeron;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an {@link AeronWorkerLink} has done: written by the link's thread only, readable from any thread.
 */
public final class LinkCounters
{
    final AtomicLong requestsSent = new AtomicLong();
    final AtomicLong repliesReceived = new AtomicLong();
    final AtomicLong heartbeatsReceived = new AtomicLong();
    final AtomicLong ignoredMessages = new AtomicLong();
    final AtomicLong malformedMessages = new AtomicLong();

    LinkCounters()
    {
    }

    /**
     * @return requests the publication took.
     */
    public long requestsSent()
    {
        return requestsSent.get();
    }

    /**
     * @return RESULT and ERROR messages delivered from the host.
     */
    public long repliesReceived()
    {
        return repliesReceived.get();
    }

    /**
     * @return heartbeats read from the host.
     */
    public long heartbeatsReceived()
    {
        return heartbeatsReceived.get();
    }

    /**
     * @return messages dropped because they came from a session the link did not connect to (or before it did).
     */
    public long ignoredMessages()
    {
        return ignoredMessages.get();
    }

    /**
     * @return messages dropped because they were not the protocol's (another version, a wrong length, no type).
     */
    public long malformedMessages()
    {
        return malformedMessages.get();
    }

    static void increment(final AtomicLong counter)
    {
        counter.lazySet(counter.get() + 1); // single writer: the link's thread
    }

    @Override
    public String toString()
    {
        return "requestsSent=" + requestsSent() + ", repliesReceived=" + repliesReceived() +
            ", heartbeatsReceived=" + heartbeatsReceived() + ", ignoredMessages=" + ignoredMessages() +
            ", malformedMessages=" + malformedMessages();
    }
}
