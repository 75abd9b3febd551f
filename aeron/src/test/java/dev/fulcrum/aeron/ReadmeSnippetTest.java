package dev.fulcrum.aeron;

import dev.fulcrum.Balancer;
import io.aeron.Aeron;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module README's snippets are the code below, and they run: a host and a balancer in one process here, where
 * the README puts them in two.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeSnippetTest
{
    private static void assertInReadme(final String name) throws Exception
    {
        final String start = "// readme-" + name + "-start";
        final String end = "// readme-" + name + "-end";
        final String source = Files.readString(Path.of("src/test/java/dev/fulcrum/aeron/ReadmeSnippetTest.java"));
        final int from = source.lastIndexOf(start);
        final String snippet = strip(source.substring(from + start.length(), source.indexOf(end, from)));
        final String readme = strip(Files.readString(Path.of("README.md")));
        assertTrue(readme.contains(snippet), "aeron/README.md must show this test's snippet as it is compiled:\n" +
            snippet);
    }

    private static String strip(final String text)
    {
        return text.replaceAll("(?m)^\\s+", "").replaceAll("\\s+\\n", "\n").trim();
    }

    @Test
    void shouldShowTheSnippetsVerbatimInTheReadme() throws Exception
    {
        assertInReadme("host");
        assertInReadme("balancer");
    }

    @Test
    void shouldRunTheSnippets() throws Exception
    {
        try (TestDriver driver = TestDriver.launch())
        {
            final Aeron aeron = driver.aeron();
            final String hostChannel = "aeron:udp?endpoint=localhost:" + TestDriver.freeUdpPort();
            final String balancerChannel = "aeron:udp?endpoint=localhost:" + TestDriver.freeUdpPort();

            // readme-host-start
            AeronWorkerHost<byte[], byte[]> host = AeronWorkerHost
                .builder((byte[] request) -> request, ByteArrayCodec.reusing(), ByteArrayCodec.allocating())
                .aeron(aeron)
                .requestChannel(hostChannel)      // the host binds here
                .replyChannel(balancerChannel)    // and replies there
                .build();
            AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, host);
            AgentRunner.startOnThread(runner);
            // readme-host-end

            try
            {
                // readme-balancer-start
                Balancer<byte[], byte[]> balancer = Balancer.<byte[], byte[]>builder(request -> request)
                    .workers(0)                   // no local workers: all are added
                    .maxWorkers(4)
                    .build();
                balancer.addWorker(AeronWorkerLink
                    .builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
                    .aeron(aeron)
                    .requestChannel(hostChannel)  // one link per host
                    .replyChannel(balancerChannel)
                    .build());
                byte[] reply = balancer.submit("hello".getBytes(US_ASCII)).get();
                // readme-balancer-end

                assertEquals("hello", new String(reply, US_ASCII));
                assertTrue(balancer.close(java.time.Duration.ofSeconds(30)));
            }
            finally
            {
                runner.close();
            }
        }
    }
}
