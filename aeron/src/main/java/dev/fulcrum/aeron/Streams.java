package dev.fulcrum.aeron;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import org.agrona.CloseHelper;

/**
 * One side's Aeron resources: an exclusive publication (the link's requests, the host's replies) and a subscription
 * (the link's replies, the host's requests), asked for asynchronously and picked up by the owner's thread when the
 * client's conductor has them, so the owner never waits for the conductor. One thread only.
 */
final class Streams
{
    private static final long NONE = Aeron.NULL_VALUE;

    private final Aeron aeron;
    private final String publicationChannel;
    private final int publicationStreamId;
    private final String subscriptionChannel;
    private final int subscriptionStreamId;
    private long publicationId = NONE;
    private long subscriptionId = NONE;
    private ExclusivePublication publication;
    private MessagePublisher publisher;
    private Subscription subscription;

    Streams(
        final Aeron aeron,
        final String publicationChannel,
        final int publicationStreamId,
        final String subscriptionChannel,
        final int subscriptionStreamId)
    {
        this.aeron = aeron;
        this.publicationChannel = publicationChannel;
        this.publicationStreamId = publicationStreamId;
        this.subscriptionChannel = subscriptionChannel;
        this.subscriptionStreamId = subscriptionStreamId;
    }

    /**
     * Ask for both; {@link #pickUp()} takes them when ready.
     */
    void add()
    {
        publicationId = aeron.asyncAddExclusivePublication(publicationChannel, publicationStreamId);
        subscriptionId = aeron.asyncAddSubscription(subscriptionChannel, subscriptionStreamId);
    }

    /**
     * @return how many arrived now.
     * @throws io.aeron.exceptions.RegistrationException when Aeron refused one (a bad channel, say).
     */
    int pickUp()
    {
        int work = 0;
        if (null == publication && NONE != publicationId)
        {
            publication = aeron.getExclusivePublication(publicationId);
            if (null != publication)
            {
                publicationId = NONE;
                publisher = new MessagePublisher(publication);
                work++;
            }
        }
        if (null == subscription && NONE != subscriptionId)
        {
            subscription = aeron.getSubscription(subscriptionId);
            if (null != subscription)
            {
                subscriptionId = NONE;
                work++;
            }
        }
        return work;
    }

    boolean isReady()
    {
        return null != publication && null != subscription;
    }

    /**
     * @return the publication, or null until it has arrived.
     */
    ExclusivePublication publication()
    {
        return publication;
    }

    /**
     * @return what writes to the publication, or null until it has arrived.
     */
    MessagePublisher publisher()
    {
        return publisher;
    }

    /**
     * @return the subscription, or null until it has arrived.
     */
    Subscription subscription()
    {
        return subscription;
    }

    /**
     * Close the publication (it can take no more) and ask for a new one.
     */
    void replacePublication()
    {
        CloseHelper.quietClose(publication);
        publication = null;
        publisher = null;
        publicationId = aeron.asyncAddExclusivePublication(publicationChannel, publicationStreamId);
    }

    /**
     * Close what arrived and withdraw what is still being added. Quiet: the client may be closing too.
     */
    void close()
    {
        if (!aeron.isClosed())
        {
            CloseHelper.quietCloseAll(publication, subscription);
            try
            {
                if (null == publication && NONE != publicationId)
                {
                    aeron.asyncRemovePublication(publicationId);
                }
                if (null == subscription && NONE != subscriptionId)
                {
                    aeron.asyncRemoveSubscription(subscriptionId);
                }
            }
            catch (final RuntimeException ignore)
            {
                // the client closed meanwhile: it released them
            }
        }
        publicationId = NONE;
        subscriptionId = NONE;
        publication = null;
        publisher = null;
        subscription = null;
    }
}
