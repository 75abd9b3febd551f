package dev.fulcrum.aeron;

import dev.fulcrum.WorkerLink;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counted, not timed: after warm-up, a host (reused request arrays, a task that returns its request) and a link (a
 * result codec that decodes in place) allocate next to nothing per round trip. Both are stepped on the test thread,
 * so the JVM's allocation counter for that one thread (com.sun.management.ThreadMXBean) counts them both.
 */
class AllocationTest
{
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 30_000;
    private static final int WINDOW = 16;
    /** Far below one byte per round trip; room for a one-off allocation inside the JDK or Aeron. */
    private static final long BUDGET_BYTES = 16 * 1024;

    /** Counts replies, keeps nothing. */
    static final class CountingReplies implements WorkerLink.Replies<DirectBuffer>
    {
        long results;
        long errors;

        @Override
        public void onResult(final long id, final DirectBuffer result)
        {
            results++;
        }

        @Override
        public void onError(final long id, final Throwable error)
        {
            errors++;
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAllocateNothingPerRoundTripInSteadyState(final Transport transport)
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
            "skipped: this JVM has no per-thread allocation counter (com.sun.management.ThreadMXBean)");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(),
            "skipped: this JVM does not count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);

        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(request -> request);
            final AeronWorkerLink<byte[], DirectBuffer> link = AeronWorkerLink
                .builder(ByteArrayCodec.allocating(), DirectBufferCodec.views())
                .aeron(fixture.driver.aeron())
                .requestChannel(fixture.requestChannel)
                .replyChannel(fixture.replyChannel)
                .heartbeatTimeout(10, TimeUnit.SECONDS)
                .build();
            try
            {
                link.onStart();
                final CountingReplies replies = new CountingReplies();
                Await.until(() ->
                {
                    host.doWork();
                    link.poll(replies);
                    return link.isConnected();
                }, () -> "connected");
                final byte[] request = new byte[64];

                roundTrips(host, link, replies, request, WARMUP);
                final long threadId = Thread.currentThread().getId();
                final long before = threads.getThreadAllocatedBytes(threadId);
                roundTrips(host, link, replies, request, MEASURED);
                final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

                assertEquals(WARMUP + MEASURED, replies.results);
                assertEquals(0, replies.errors);
                assertTrue(link.isAlive(System.nanoTime()));
                assertTrue(allocated <= BUDGET_BYTES,
                    () -> allocated + " bytes for " + MEASURED + " round trips (budget " + BUDGET_BYTES + ")");
            }
            finally
            {
                link.close();
            }
        }
    }

    /** No lambdas, no boxing: the loop itself allocates nothing. Bounded by the test's timeout. */
    private static void roundTrips(
        final AeronWorkerHost<byte[], byte[]> host,
        final AeronWorkerLink<byte[], DirectBuffer> link,
        final CountingReplies replies,
        final byte[] request,
        final int count)
    {
        final long target = replies.results + replies.errors + count;
        long nextId = replies.results + replies.errors;
        final long lastId = nextId + count;
        while (replies.results + replies.errors < target)
        {
            while (nextId < lastId && nextId - (replies.results + replies.errors) < WINDOW &&
                WorkerLink.SENT == link.send(nextId, request))
            {
                nextId++;
            }
            host.doWork();
            link.poll(replies);
            if (!link.isAlive(System.nanoTime()))
            {
                throw new AssertionError("link lost: " + link.lossReason());
            }
        }
    }
}
