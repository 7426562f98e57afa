package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The error answers the container gives outside the filters' reach, sent as raw bytes to the sample jar: requests its
 * server rejects before they reach the web app, and the app's {@code sendError} on methods other than GET, POST and
 * HEAD. Each gets the error contract's problem+json with an {@code X-Request-Id}, not Jetty's HTML page or an empty
 * body, and the server serves on.
 */
class ContainerErrorsIT {
    private static final Pattern NEW_ID = Pattern.compile("[0-9a-f]{16}");

    private static SampleProcess sample;

    @BeforeAll
    static void start() throws Exception {
        sample = SampleProcess.start();
    }

    @AfterAll
    static void stop() {
        if (sample != null) {
            sample.close();
        }
    }

    @AfterEach
    void serverStillServes() throws IOException {
        assertEquals(200, Answer.of(sample.raw("/demo/hello")).status);
    }

    @Test
    void headerBlockOverTheLimitGets431ProblemJson() throws IOException {
        Answer answer = Answer.of(sample.send("GET /demo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "a".repeat(20_000) + "\r\n\r\n"));
        assertEquals(431, answer.status);
        assertEquals(problem(431, "Request Header Fields Too Large", "Request header fields too large",
                "REQUEST_HEADER_FIELDS_TOO_LARGE", answer.problemHeaders(), "/demo/hello"), answer.body);
    }

    @Test
    void unparseableRequestLineGets400BadRequestWithoutInstance() throws IOException {
        Answer answer = Answer.of(sample.send("GARBAGE\r\n\r\n"));
        assertEquals(400, answer.status);
        assertEquals(problem(400, "Bad Request", "Bad request", "BAD_REQUEST", answer.problemHeaders(), null),
                answer.body);
    }

    @Test
    void unsupportedHttpVersionGets505WithItsReasonPhrase() throws IOException {
        Answer answer = Answer.of(sample.send("GET /demo/hello HTTP/7.0\r\nHost: 127.0.0.1\r\n\r\n"));
        assertEquals(505, answer.status);
        assertEquals(problem(505, "HTTP Version Not Supported", "Http version not supported",
                "HTTP_VERSION_NOT_SUPPORTED", answer.problemHeaders(), null), answer.body);
    }

    @Test
    void malformedHeadGets400WithTheLengthOfTheBodyItDoesNotSend() throws IOException {
        Answer answer = Answer.of(sample.send(
                "HEAD /demo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n"));
        assertEquals(400, answer.status);
        String wouldBe = problem(400, "Bad Request", "Bad request", "BAD_REQUEST", answer.problemHeaders(),
                "/demo/hello");
        assertEquals(String.valueOf(wouldBe.length()), answer.headers.get("content-length"));
        assertEquals("", answer.body);
    }

    @Test
    void deleteOnAServletWithoutItGets405ProblemJson() throws IOException {
        Answer answer = Answer.of(sample.send(
                "DELETE /demo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assertEquals(405, answer.status);
        assertEquals(problem(405, "Method Not Allowed", "Method not allowed", "METHOD_NOT_ALLOWED",
                answer.problemHeaders(), "/demo/hello"), answer.body);
    }

    @Test
    void traceRefusedByTheContainerGets403ProblemJson() throws IOException {
        Answer answer = Answer.of(sample.send(
                "TRACE /demo/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        assertEquals(403, answer.status);
        assertEquals(problem(403, "Forbidden", "Forbidden", "FORBIDDEN", answer.problemHeaders(), "/demo/hello"),
                answer.body);
    }

    /** The error contract's body, written out rather than built by the code under test. */
    private static String problem(int status, String title, String error, String code, String id, String instance) {
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"error\":\"" + error
                + "\",\"code\":\"" + code + "\",\"requestId\":\"" + id + "\""
                + (instance == null ? "" : ",\"instance\":\"" + instance + "\"") + "}";
    }

    /** A raw HTTP/1.1 answer read to the end of the connection. */
    private static final class Answer {
        final int status;
        final Map<String, String> headers = new TreeMap<>();
        final String body;

        private Answer(String raw) {
            int split = raw.indexOf("\r\n\r\n");
            assertTrue(raw.startsWith("HTTP/1.1 ") && split > 0, raw);
            String[] lines = raw.substring(0, split).split("\r\n");
            status = Integer.parseInt(lines[0].substring(9, 12));
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
                headers.put(name, lines[i].substring(colon + 1).trim());
            }
            body = raw.substring(split + 4);
        }

        static Answer of(String raw) {
            return new Answer(raw);
        }

        /** Checks the error contract's headers and returns the request id, a new one. */
        String problemHeaders() {
            assertEquals("application/problem+json", headers.get("content-type"), headers.toString());
            assertEquals("no-store", headers.get("cache-control"), headers.toString());
            String id = headers.get("x-request-id");
            assertTrue(id != null && NEW_ID.matcher(id).matches(), headers.toString());
            return id;
        }
    }
}
