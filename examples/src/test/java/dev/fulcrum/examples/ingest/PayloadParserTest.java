package dev.fulcrum.examples.ingest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadParserTest
{
    @Test
    void shouldSliceEachPayloadAsSentWhenBodyHasWhitespaceAndOtherFields() throws Exception
    {
        final String json = " {\"version\": {\"v\": [1, 2]},\n \"payloads\" : [ {\"id\":\"a\", \"s\":\"}]\\\"\"} ,\n" +
            "{\"id\": \"b\",\n \"nested\": {\"x\": [{}, []]}},{\"id\":\"\u00e9\"}\t], \"token\": \"t\" } \n";
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        final List<Payload> out = new ArrayList<>();

        new PayloadParser(8).parse(body, out);

        assertEquals(List.of(
            "{\"id\":\"a\", \"s\":\"}]\\\"\"}",
            "{\"id\": \"b\",\n \"nested\": {\"x\": [{}, []]}}",
            "{\"id\":\"\u00e9\"}"), out.stream().map(Payload::toString).collect(Collectors.toList()));
        out.forEach(p -> assertSame(body, p.bytes()));
    }

    @Test
    void shouldAnswer413WhenBodyHasMorePayloadsThanTheRing()
    {
        final byte[] body = "{\"payloads\":[{},{},{}]}".getBytes(StandardCharsets.UTF_8);

        final RejectedBodyException ex = assertThrows(RejectedBodyException.class,
            () -> new PayloadParser(2).parse(body, new ArrayList<>()));

        assertEquals(413, ex.status());
        assertTrue(ex.getMessage().contains("at most 2 payloads"), ex.getMessage());
    }

    @Test
    void shouldAnswer400WithAReasonWhenBodyIsMalformed()
    {
        assertRejected("body must be a JSON object", "[]");
        assertRejected("body has no field \"payloads\"", "{\"other\": 1}");
        assertRejected("field \"payloads\" must be an array", "{\"payloads\": {}}");
        assertRejected("payloads[1] must be a JSON object: found a string", "{\"payloads\": [{}, \"x\"]}");
        assertRejected("must hold at least one payload", "{\"payloads\": []}");
        assertRejected("malformed JSON", "{\"payloads\": [{\"a\": tru}]}");
        assertRejected("malformed JSON", "{\"payloads\": [{\"a\": \"unterminated}]}");
        assertRejected("malformed JSON", "{\"payloads\": [{}]");
        assertRejected("after the body's JSON object", "{\"payloads\": [{}]} {}");
    }

    private static void assertRejected(final String reason, final String json)
    {
        final RejectedBodyException ex = assertThrows(RejectedBodyException.class,
            () -> new PayloadParser(16).parse(json.getBytes(StandardCharsets.UTF_8), new ArrayList<>()), json);
        assertEquals(400, ex.status(), json);
        assertTrue(ex.getMessage().contains(reason), json + " -> " + ex.getMessage());
    }
}
