package dev.fulcrum.aeron;

/**
 * The longest a link went without reading anything from its host, seen from a test's thread at each
 * {@link #look()} once the link is connected. It includes any delay of the link's own thread, so it is at least
 * the silence the link itself measures; it misses what happens between two looks.
 */
final class LinkSilence
{
    private final AeronWorkerLink<?, ?> link;
    private long worstNs;

    LinkSilence(final AeronWorkerLink<?, ?> link)
    {
        this.link = link;
    }

    void look()
    {
        if (link.isConnected())
        {
            worstNs = Math.max(worstNs, System.nanoTime() - link.lastHeardNs());
        }
    }

    long worstNs()
    {
        return worstNs;
    }
}
