package dev.fulcrum;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The task of the stepped tests that need one request to stick: a request starting with {@link #STUCK} blocks until
 * {@link #release} (and counts {@link #started} down first); every request is written down in the order it ran.
 * Also the two submit loops those tests share.
 */
final class StuckTask implements Task<String, String>
{
    static final String STUCK = "stuck";

    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    /** Requests in the order they ran, from whichever thread ran them. */
    final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String execute(final String request) throws InterruptedException
    {
        if (request.startsWith(STUCK))
        {
            started.countDown();
            if (!release.await(60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("never released");
            }
        }
        ran.add(request);
        return request;
    }

    /**
     * {@code trySubmit} each request, asserting the ring took it.
     */
    static void submit(final Balancer<String, String> balancer, final Reply<String, String> reply, final String... requests)
    {
        for (final String r : requests)
        {
            org.junit.jupiter.api.Assertions.assertTrue(balancer.trySubmit(r, reply), r);
        }
    }

    /**
     * Keyed {@code trySubmit} of each request, asserting the ring took it.
     */
    static void submit(
        final Balancer<String, String> balancer, final Reply<String, String> reply, final long key,
        final String... requests)
    {
        for (final String r : requests)
        {
            org.junit.jupiter.api.Assertions.assertTrue(balancer.trySubmit(key, r, reply), r);
        }
    }
}
