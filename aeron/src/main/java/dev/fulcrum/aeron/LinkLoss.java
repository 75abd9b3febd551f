package dev.fulcrum.aeron;

/**
 * Why an {@link AeronWorkerLink} is lost ({@link AeronWorkerLink#lossReason()}), or {@link #NONE} while it is not.
 */
public enum LinkLoss
{
    /** Not lost. */
    NONE,
    /** No host answered the link's HELLO within the connect timeout. */
    CONNECT_TIMEOUT,
    /** Nothing (heartbeat, reply) arrived from the host within the heartbeat timeout. */
    HEARTBEAT_TIMEOUT,
    /** The host's reply image went away (its publication closed, or Aeron timed it out). */
    IMAGE_UNAVAILABLE,
    /** The request publication was closed under the link. */
    PUBLICATION_CLOSED,
    /** The request publication reached its maximum position: it can carry no more. */
    MAX_POSITION_EXCEEDED,
    /** The Aeron client was closed (by its owner, or because it lost its media driver). */
    AERON_CLOSED,
    /** Aeron refused to add the link's publication or subscription (a bad channel, say). */
    REGISTRATION_FAILED,
    /** The link was closed. */
    CLOSED
}
