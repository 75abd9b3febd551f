package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests that start ingest servers in this JVM share: an HTTP/1.1 client, and after each test the sinks
 * they hold released (so a blocked worker can finish) and then the servers closed. Register it with
 * {@code @RegisterExtension}; add every server and every blocking sink to its lists.
 */
final class IngestServers implements AfterEachCallback
{
    final HttpClient client = httpClient();
    final List<IngestServer> servers = new ArrayList<>();
    final List<RecordingSink> sinks = new ArrayList<>();

    /**
     * @return an HTTP/1.1 client (the server speaks HTTP/1.1) that gives up connecting after 5 s.
     */
    static HttpClient httpClient()
    {
        return HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        sinks.forEach(RecordingSink::release);
        servers.forEach(IngestServer::close);
    }
}
