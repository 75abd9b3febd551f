package dev.fulcrum.aeron;

import dev.fulcrum.WorkerLink;
import io.aeron.ExclusivePublication;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A link and a host in this process, both stepped on the test thread as their engine threads would call them, over
 * shared memory and over UDP on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkAndHostTest
{
    private static byte[] payload(final int id, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(id * 31 + i);
        }
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldAnswerEveryRequestExactlyOnceWithItsOwnResult(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            final int count = 5_000;
            fixture.runAll(link, replies, count, id -> payload(id, 1 + id % 200));

            assertEquals(count, replies.results.size(), () -> "errors: " + replies.errors);
            assertEquals(0, replies.duplicates);
            for (int id = 0; id < count; id++)
            {
                assertArrayEquals(Fixture.plusOne(payload(id, 1 + id % 200)), replies.results.get((long)id), "id=" + id);
            }
            assertEquals(count, link.counters().requestsSent());
            assertEquals(count, host.counters().requestsRun());
            assertEquals(host.instanceId(), link.hostInstanceId());
            assertEquals(0, link.counters().ignoredMessages() + link.counters().malformedMessages());
            assertEquals(0, host.counters().ignoredMessages() + host.counters().malformedMessages());
            assertTrue(link.isAlive(System.nanoTime()));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldSayNotConnectedUntilTheHostHasAnswered(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            for (int i = 0; i < 100; i++)
            {
                link.poll(replies);
                assertEquals(WorkerLink.NOT_CONNECTED, link.send(1, new byte[]{ 1 }));
            }
            assertFalse(link.isConnected());
            assertTrue(link.isAlive(System.nanoTime()), "within the connect timeout");

            fixture.host(Fixture::plusOne);
            fixture.connect(link, replies);
            assertEquals(WorkerLink.SENT, link.send(1, new byte[]{ 1 }));
            Await.until(() ->
            {
                fixture.pump(link, replies);
                return replies.answered(1);
            }, () -> "reply to 1");
            assertArrayEquals(new byte[]{ 2 }, replies.results.get(1L));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldAnswerATaskFailureWithItsTextAndGoOn(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(request ->
            {
                if (request[0] == 1)
                {
                    throw new IllegalStateException("no ones today");
                }
                if (request[0] == 2)
                {
                    throw new StackOverflowError("deep");
                }
                return request[0] == 3 ? null : Fixture.plusOne(request);
            });
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            fixture.runAll(link, replies, 5, id -> new byte[]{ (byte)id });

            assertArrayEquals(new byte[]{ 1 }, replies.results.get(0L));
            final RemoteTaskException failure = assertInstanceOf(RemoteTaskException.class, replies.errors.get(1L));
            assertTrue(failure.getMessage().contains("java.lang.IllegalStateException: no ones today"),
                failure.getMessage());
            assertTrue(failure.getMessage().startsWith(link.name()), failure.getMessage());
            assertTrue(replies.errors.get(2L).getMessage().contains("java.lang.StackOverflowError: deep"));
            assertTrue(replies.results.containsKey(3L));
            assertNull(replies.results.get(3L), "a null result arrives as null");
            assertArrayEquals(new byte[]{ 5 }, replies.results.get(4L));
            assertEquals(2, host.counters().tasksFailed());
            assertEquals(0, replies.duplicates);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldClearAnInterruptFlagTheTaskLeftSet(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(request ->
            {
                if (request[0] == 0)
                {
                    Thread.currentThread().interrupt();
                }
                return Fixture.plusOne(request);
            });
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            fixture.runAll(link, replies, 3, id -> new byte[]{ (byte)id });

            assertFalse(Thread.currentThread().isInterrupted(), "the host's thread (here the test's) is not left interrupted");
            assertEquals(1, host.counters().interruptsCleared());
            assertEquals(1, fixture.hostErrors.size(), () -> "reported once: " + fixture.hostErrors);
            assertTrue(fixture.hostErrors.get(0).getMessage().contains("interrupt flag"));
            assertEquals(3, replies.results.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldCarryMessagesLongerThanOneFrameBothWays(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            final int length = 6_000; // more than one frame's payload (about 1.4 KB), less than 64 KiB / 8
            fixture.runAll(link, replies, 50, id -> payload(id, length));

            for (int id = 0; id < 50; id++)
            {
                assertArrayEquals(Fixture.plusOne(payload(id, length)), replies.results.get((long)id), "id=" + id);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldAnswerARequestTooLongToSendWithAnErrorAndGoOn(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            assertEquals(WorkerLink.SENT, link.send(7, new byte[TestDriver.TERM_LENGTH / 8]));
            link.poll(replies);
            final IllegalArgumentException error = assertInstanceOf(IllegalArgumentException.class, replies.errors.get(7L));
            assertTrue(error.getMessage().contains("maxMessageLength=" + TestDriver.TERM_LENGTH / 8), error.getMessage());
            assertTrue(error.getMessage().contains("id=7"), error.getMessage());

            fixture.runAll(link, replies, 3, id -> new byte[]{ (byte)id }); // ids 0..2: the link goes on
            assertEquals(4, replies.answered());
            assertTrue(link.isAlive(System.nanoTime()));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldAnswerWhatACodecCannotEncodeOrDecodeWithAnErrorAndGoOn(final Transport transport)
    {
        final Codec<String> strings = new Codec<>()
        {
            @Override
            public int encodedLength(final String value)
            {
                if (value.equals("unsendable"))
                {
                    throw new IllegalArgumentException("cannot encode " + value);
                }
                return value.length();
            }

            @Override
            public void encode(final String value, final MutableDirectBuffer buffer, final int offset)
            {
                buffer.putStringWithoutLengthAscii(offset, value);
            }

            @Override
            public String decode(final org.agrona.DirectBuffer buffer, final int offset, final int length)
            {
                final String value = buffer.getStringWithoutLengthAscii(offset, length);
                if (value.equals("undecodable"))
                {
                    throw new IllegalArgumentException("cannot decode " + value);
                }
                return value;
            }
        };
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<String, String> host = AeronWorkerHost
                .builder((String request) -> request.equals("bad result") ? "undecodable" : request.toUpperCase(),
                    strings, strings)
                .aeron(fixture.driver.aeron())
                .requestChannel(fixture.requestChannel)
                .replyChannel(fixture.replyChannel)
                .build();
            host.onStart();
            final AeronWorkerLink<String, String> link = AeronWorkerLink.builder(strings, strings)
                .aeron(fixture.driver.aeron())
                .requestChannel(fixture.requestChannel)
                .replyChannel(fixture.replyChannel)
                .build();
            link.onStart();
            try
            {
                final RecordingReplies<String> replies = new RecordingReplies<>();
                final String[] requests = { "unsendable", "undecodable", "bad result", "fine" };
                Await.until(() ->
                {
                    host.doWork();
                    link.poll(replies);
                    return link.isConnected();
                }, () -> "connected");
                for (int id = 0; id < requests.length; id++)
                {
                    final int sendId = id;
                    Await.until(() ->
                    {
                        host.doWork();
                        link.poll(replies);
                        return WorkerLink.SENT == link.send(sendId, requests[sendId]);
                    }, () -> "sent " + sendId);
                }
                Await.until(() ->
                {
                    host.doWork();
                    link.poll(replies);
                    return replies.answered() == requests.length;
                }, () -> "answered: " + replies.answered());

                assertEquals("cannot encode unsendable", replies.errors.get(0L).getMessage());
                assertTrue(replies.errors.get(1L).getMessage().contains(
                    "the host could not decode the request: java.lang.IllegalArgumentException: cannot decode undecodable"),
                    replies.errors.get(1L).getMessage());
                assertEquals("cannot decode undecodable", replies.errors.get(2L).getMessage(),
                    "the link's result codec failed: its own exception");
                assertEquals("FINE", replies.results.get(3L));
                assertEquals(0, replies.duplicates);
            }
            finally
            {
                link.close();
                host.onClose();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldSayFullWhenTheHostFallsBehindAndAnswerAllOnceItCatchesUp(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            // the host is not stepped: the request stream fills its window (a fraction of the 64 KiB term)
            int sent = 0;
            int status = WorkerLink.SENT;
            while (WorkerLink.SENT == status && sent < 100_000)
            {
                status = link.send(sent, payload(sent, 1000));
                if (WorkerLink.SENT == status)
                {
                    sent++;
                }
            }
            assertEquals(WorkerLink.FULL, status, "after " + sent + " requests of 1000 bytes");
            assertTrue(sent > 0);

            final int total = sent;
            final int[] next = { sent };
            Await.until(() ->
            {
                if (next[0] < total + 10 && WorkerLink.SENT == link.send(next[0], payload(next[0], 1000)))
                {
                    next[0]++;
                }
                host.doWork();
                link.poll(replies);
                return replies.answered() == total + 10;
            }, () -> replies.answered() + " answered of " + (total + 10));
            assertEquals(0, replies.duplicates);
            assertEquals(total + 10, replies.results.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldLoseTheLinkWhenTheHostCloses(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link(builder ->
                builder.heartbeatTimeout(30, TimeUnit.SECONDS)); // so that only the closed image can lose it
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);
            fixture.runAll(link, replies, 10, id -> new byte[]{ (byte)id });

            fixture.closeHost(host);
            Await.until(TimeUnit.SECONDS.toNanos(20), () ->
            {
                link.poll(replies);
                return !link.isAlive(System.nanoTime());
            }, () -> "lost: " + link);
            assertEquals(LinkLoss.IMAGE_UNAVAILABLE, link.lossReason());
            assertFalse(link.isAlive(System.nanoTime()), "lost for good");
            assertEquals(WorkerLink.NOT_CONNECTED, link.send(99, new byte[]{ 1 }));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldIgnoreRepliesFromASessionItDidNotConnectTo(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);

            final ExclusivePublication impostor = fixture.driver.aeron()
                .addExclusivePublication(fixture.replyChannel, Settings.DEFAULT_REPLY_STREAM_ID);
            try
            {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[WireProtocol.HEADER_LENGTH + 1]);
                WireProtocol.putHeader(message, 0, WireProtocol.RESULT, 0, 1, 5);
                message.putByte(WireProtocol.HEADER_LENGTH, (byte)42);
                Await.until(() ->
                {
                    fixture.pump(link, replies);
                    impostor.offer(message);
                    return link.counters().ignoredMessages() > 0;
                }, () -> "an impostor's reply ignored");
                assertFalse(replies.answered(5), "nothing delivered from the impostor");

                fixture.runAll(link, replies, 10, id -> new byte[]{ (byte)id });
                assertArrayEquals(new byte[]{ 6 }, replies.results.get(5L), "id 5's own reply, once");
                assertEquals(0, replies.duplicates);
            }
            finally
            {
                impostor.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldServeOneBalancerAtATimeAndTheNextWhenTheFirstLeaves(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne);
            final AeronWorkerLink<byte[], byte[]> first = fixture.link();
            final RecordingReplies<byte[]> firstReplies = new RecordingReplies<>();
            fixture.connect(first, firstReplies);
            final int firstSession = host.balancerSessionId();

            final AeronWorkerLink<byte[], byte[]> second = fixture.link();
            final RecordingReplies<byte[]> secondReplies = new RecordingReplies<>();
            Await.until(() ->
            {
                fixture.pump(first, firstReplies);
                fixture.pump(second, secondReplies);
                return host.counters().ignoredMessages() > 0;
            }, () -> "the second balancer's HELLO ignored");
            assertFalse(second.isConnected());
            assertEquals(WorkerLink.NOT_CONNECTED, second.send(0, new byte[]{ 0 }));
            fixture.runAll(first, firstReplies, 10, id -> new byte[]{ (byte)id });

            first.close();
            fixture.connect(second, secondReplies);
            assertTrue(host.balancerSessionId() != firstSession);
            assertEquals(1, host.counters().balancersLost());
            assertEquals(2, host.counters().balancersServed());
            fixture.runAll(second, secondReplies, 10, id -> new byte[]{ (byte)(id + 100) });
            assertArrayEquals(new byte[]{ (byte)101 }, secondReplies.results.get(0L));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldDropBackToWaitingWhenItsBalancerFallsSilent(final Transport transport)
    {
        try (Fixture fixture = Fixture.open(transport))
        {
            final AeronWorkerHost<byte[], byte[]> host = fixture.host(Fixture::plusOne,
                builder -> builder.balancerTimeout(200, TimeUnit.MILLISECONDS));
            final AeronWorkerLink<byte[], byte[]> link = fixture.link();
            final RecordingReplies<byte[]> replies = new RecordingReplies<>();
            fixture.connect(link, replies);
            assertTrue(host.isServing());

            // the link is no longer polled, so it sends no heartbeat; its publication stays open
            Await.until(() ->
            {
                host.doWork();
                return !host.isServing();
            }, () -> "the host gave up on its silent balancer");
            assertEquals(1, host.counters().balancersLost());

            final AeronWorkerLink<byte[], byte[]> next = fixture.link();
            final RecordingReplies<byte[]> nextReplies = new RecordingReplies<>();
            fixture.connect(next, nextReplies);
            fixture.runAll(next, nextReplies, 5, id -> "hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals(5, nextReplies.results.size());
        }
    }
}
