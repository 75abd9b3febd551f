package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each bound of the server against a client that misbehaves on purpose, over loopback sockets: timeouts, the
 * budget of unfinished bodies, the connection cap, 415; and the health endpoints. No sleeps: every wait is for a
 * condition, with a deadline far above the timeouts under test, and no timing is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IngestBoundsTest
{
    private static final long DEADLINE_MS = IngestServerTest.DEADLINE_MS;
    private static final String BODY = "{\"payloads\":[{\"id\":\"ok\"}]}";

    @TempDir
    Path dir;

    private final List<IngestServer> servers = new ArrayList<>();
    private final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception
    {
        for (final RawClient client : clients)
        {
            client.close();
        }
        servers.forEach(IngestServer::close);
    }

    @Test
    void shouldCloseSlowClientsWhenTheirHeaderBodyOrIdleTimeoutPasses() throws Exception
    {
        final IngestServer server = start("HEADER_TIMEOUT_MS", "200", "BODY_TIMEOUT_MS", "300",
            "IDLE_TIMEOUT_MS", "400");
        final RawClient slowHeaders = client(server).send("POST /v1/payloads HTTP/1.1\r\nHost: x\r\nX-Slow: a");
        final RawClient slowBody = client(server).send("POST /v1/payloads HTTP/1.1\r\nHost: x\r\n" +
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"payloads\":");
        final RawClient idle = client(server).send(RawClient.post(BODY));
        assertEquals(202, idle.readStatus(DEADLINE_MS));

        assertTrue(slowHeaders.awaitClosed(DEADLINE_MS), "closed after its header timeout");
        assertTrue(slowBody.awaitClosed(DEADLINE_MS), "closed after its body timeout");
        assertTrue(idle.awaitClosed(DEADLINE_MS), "closed after its idle timeout");
        await(() -> server.stats().openConnections() == 0, "every connection closed");
        final Refusals refusals = server.refusals();
        assertEquals(1, refusals.count(Refusals.Kind.HEADER_TIMEOUT));
        assertEquals(1, refusals.count(Refusals.Kind.BODY_TIMEOUT));
        assertEquals(1, refusals.count(Refusals.Kind.IDLE_TIMEOUT));
        assertEquals(0, server.stats().unfinishedBytes(), "the half body's bytes were given back");
    }

    @Test
    void shouldRefuseHalfSentBodiesPastTheBudgetWhileALegitimateClientGets202() throws Exception
    {
        final int half = 40 * 1024;
        final IngestServer server = start("MAX_BODY_BYTES", "65536", "MAX_UNFINISHED_BYTES", "131072",
            "BODY_TIMEOUT_MS", "60000");
        final String head = "POST /v1/payloads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            "Content-Length: 65000\r\n\r\n{\"payloads\":[{\"pad\":\"";
        final List<RawClient> halfSent = new ArrayList<>();
        for (int i = 0; i < 8; i++) // 8 x 40 KiB against a budget of 128 KiB: 3 fit
        {
            halfSent.add(client(server).send(head + "x".repeat(half)));
            final int sent = i + 1;
            await(() -> sent <= 3 ? server.stats().unfinishedBytes() >= sent * (long)half :
                server.refusals().count(Refusals.Kind.BODY_BUDGET) >= sent - 3, "half body " + sent + " charged");
        }
        final RawClient legitimate = client(server);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(202, legitimate.send(RawClient.post(BODY)).readStatus(DEADLINE_MS), "post " + i);
        }

        final long refused = server.refusals().count(Refusals.Kind.BODY_BUDGET);
        assertEquals(5, refused, "the five oldest half bodies refused to make room for younger ones");
        assertEquals(3 * (long)half, server.stats().unfinishedBytes(), 1024, "three half bodies held");
        await(() -> halfSent.stream().filter(RawClient::closedNow).count() == refused,
            "the refused connections are closed");
        for (int i = 0; i < 5; i++)
        {
            assertTrue(halfSent.get(i).closedNow(), "the oldest were refused: " + i);
        }
    }

    @Test
    void shouldAnswer503AndCloseWhenTheConnectionCapIsReached() throws Exception
    {
        final IngestServer server = start("MAX_CONNECTIONS", "3");
        final List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            held.add(client(server));
        }
        await(() -> server.stats().openConnections() == 3, "three connections open");

        final RawClient fourth = client(server);
        assertEquals(503, fourth.readStatus(DEADLINE_MS));
        assertTrue(fourth.awaitClosed(DEADLINE_MS));
        assertEquals(202, held.get(0).send(RawClient.post(BODY)).readStatus(DEADLINE_MS), "held ones still served");

        held.get(1).close();
        await(() -> server.stats().openConnections() == 2, "one connection fewer");
        assertEquals(202, client(server).send(RawClient.post(BODY)).readStatus(DEADLINE_MS), "room again");
        assertEquals(1, server.refusals().count(Refusals.Kind.CONNECTION_CAP));
    }

    @Test
    void shouldAnswer415WhenTheBodyIsNotDeclaredJson() throws Exception
    {
        final IngestServer server = start();
        final RawClient client = client(server);

        final String untyped = "POST /v1/payloads HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY.length() +
            "\r\n\r\n" + BODY;
        assertEquals(415, client.send(untyped).readStatus(DEADLINE_MS));
        assertEquals(415, client.send(untyped.replace("Host: x\r\n", "Host: x\r\nContent-Type: text/plain\r\n"))
            .readStatus(DEADLINE_MS));
        assertEquals(202, client.send(untyped.replace("Host: x\r\n",
            "Host: x\r\nContent-Type: Application/JSON; charset=utf-8\r\n")).readStatus(DEADLINE_MS));
        assertEquals(2, server.refusals().count(Refusals.Kind.UNSUPPORTED_MEDIA_TYPE));
        server.close();
        assertEquals(1, SinkFiles.payloads(dir).size());
    }

    @Test
    void shouldAnswerLiveAndReadyUntilClosing() throws Exception
    {
        final IngestServer server = start();
        final RawClient client = client(server);

        assertEquals(200, client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readStatus(DEADLINE_MS));
        assertEquals(200, client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").readStatus(DEADLINE_MS));
        assertEquals(null, server.notReadyReason());
        server.close();
        assertEquals("closing", server.notReadyReason());
    }

    private IngestServer start(final String... env) throws Exception
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("PORT", "0");
        settings.put("BIND_ADDRESS", "127.0.0.1");
        settings.put("MAX_WORKERS", "1");
        for (int i = 0; i < env.length; i += 2)
        {
            settings.put(env[i], env[i + 1]);
        }
        final IngestServer server = IngestServer.start(IngestConfig.from(settings), new DirectoryPayloadSink(dir));
        servers.add(server);
        return server;
    }

    private RawClient client(final IngestServer server) throws Exception
    {
        final RawClient client = new RawClient(server.port());
        clients.add(client);
        return client;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        IngestServerTest.await(condition, what);
    }
}
