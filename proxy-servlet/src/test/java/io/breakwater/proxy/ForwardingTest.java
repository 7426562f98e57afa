package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The proxy forwards the path and query it accepted, byte for byte, or answers 400: whatever a client puts in its
 * request line, never a 500, never a backend's or a breaker's failure.
 */
class ForwardingTest {
    /** Answers every request with its own request line as the body. */
    private static final RawBackend.Script ECHO = (head, out, socket) -> {
        byte[] line = head.substring(0, head.indexOf("\r\n")).getBytes(StandardCharsets.ISO_8859_1);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + line.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(line);
        out.flush();
        return true;
    };

    @Test
    void forwardsTheQueriesThatUsedToBeA500ByteForByte() throws Exception {
        try (RawBackend backend = RawBackend.start(ECHO);
                ProxyFixture fixture = ProxyFixture.withChain(0, "backends", backend.url());
                ErrorLines errors = new ErrorLines()) {
            for (String target : List.of("/orders/1?ids=1|2", "/orders/1?q=%22a%22&r=\"b\"&s={}^`<>[]\\",
                    "/a%20b/c?x=100%25")) {
                assertEquals("GET " + target + " HTTP/1.1", body(answer(fixture, "GET", target, null)), target);
            }
            // with a body, which used to hang until the deadline
            String answer = answer(fixture, "POST", "/orders/1?ids=1|2", "a body");
            assertEquals("POST /orders/1?ids=1|2 HTTP/1.1", body(answer));
            assertNothingCharged(fixture, backend);
            assertEquals(List.of(), errors.lines());
        }
    }

    @Test
    void everyPrintableByteAndBadEscapeInPathOrQueryIsForwardedAsSentOrRefused400() throws Exception {
        List<String> pieces = new ArrayList<>();
        for (char c = 0x21; c < 0x7f; c++) {
            pieces.add(String.valueOf(c));
        }
        pieces.addAll(List.of("%", "%4", "%zz", "%%", "%2", "%g0", "%00", "%2F", "%2e%2e", "..", "//"));
        try (RawBackend backend = RawBackend.start(ECHO);
                ProxyFixture fixture = ProxyFixture.withChain(0, "backends", backend.url());
                ErrorLines errors = new ErrorLines()) {
            int forwarded = 0;
            int refused = 0;
            for (String piece : pieces) {
                for (String target : List.of("/p" + piece + "x", "/p?q=" + piece + "x", "/p?" + piece)) {
                    String answer = answer(fixture, "GET", target, null);
                    int status = Integer.parseInt(answer.substring(9, 12));
                    if (status == 400) {
                        refused++;
                        continue;
                    }
                    assertEquals(200, status, target + " -> " + answer);
                    String line = body(answer);
                    if (piece.equals("#")) {
                        // the fragment is the client's own: the container never receives it as part of the target
                        assertEquals("GET " + target.substring(0, target.indexOf('#')) + " HTTP/1.1", line);
                    } else {
                        assertEquals("GET " + target + " HTTP/1.1", line, target);
                    }
                    forwarded++;
                }
            }
            assertTrue(forwarded > 2 * 94, forwarded + " forwarded, " + refused + " refused");
            assertNothingCharged(fixture, backend);
            assertEquals(List.of(), errors.lines());
        }
    }

    @Test
    void aTargetThatCannotBeForwardedAsReceivedIsTheClients400() throws Exception {
        try (RawBackend backend = RawBackend.start(ECHO);
                ProxyFixture fixture = ProxyFixture.withChain(0, "backends", backend.url());
                ErrorLines errors = new ErrorLines()) {
            // Jetty's server takes a lone % in a query, which Jetty's client refuses to write in a request line
            ProxyFixture.assertProblem(answer(fixture, "GET", "/orders/1?q=100%", null), 400, "BAD_REQUEST");
            ProxyFixture.assertProblem(answer(fixture, "GET", "/orders/1?x=%zz&y=%4", null), 400, "BAD_REQUEST");
            // answered before the body is read: no wait for a deadline
            ProxyFixture.assertProblem(answer(fixture, "POST", "/orders/1?q=100%", "a body"), 400, "BAD_REQUEST");
            assertEquals(3, fixture.clientFaults("badTarget"));
            assertEquals(List.of(), backend.heads());
            assertNothingCharged(fixture, backend);
            assertEquals(List.of(), errors.lines());
        }
    }

    private static void assertNothingCharged(ProxyFixture fixture, RawBackend backend) {
        assertEquals(0, fixture.backendFailures(backend.url()));
        assertFalse(fixture.breakers().isEmpty());
        fixture.breakers().forEach((name, breaker) -> {
            assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), name);
            assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls(), name);
        });
    }

    private static String answer(ProxyFixture fixture, String method, String target, String body) throws IOException {
        String request = method + " " + target + " HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n"
                + (body == null ? "" : body);
        return fixture.proxy.raw(request);
    }

    private static String body(String answer) {
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }
}
