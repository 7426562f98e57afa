package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The error contract of ExceptionHandlingFilter, on the sample WAR deployed from its own web.xml in each container. */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class ExceptionHandlingIT {
    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([^\"]+)\"");
    private static SampleWar sample;

    @Parameter
    ServletContainer container;

    @BeforeParameterizedClassInvocation
    static void deploy(ServletContainer container) throws Exception {
        // the sample's breaker would cut /demo/fail off under this test's load, and its concurrency limit would shed
        // part of the 500 concurrent requests (OverloadIT's subject): keep both out of the way
        sample = SampleWar.deploy(container, Map.of("breakwater.failureRateThresholdOverrides", "/demo/fail=off",
                "breakwater.concurrencyLimitPaths", "/demo/*=off"));
    }

    @AfterParameterizedClassInvocation
    static void undeploy() throws Exception {
        sample.close();
    }

    @Test
    void failingRouteAnswersTheContractsInternalError() throws Exception {
        HttpResponse<String> response = sample.get("/demo/fail");

        assertEquals(500, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
                + "\"error\":\"Internal server error\",\"code\":\"INTERNAL_ERROR\",\"requestId\":\"" + id
                + "\",\"instance\":\"/demo/fail\"}", response.body());
        assertFalse(response.body().contains("IllegalStateException"));
        assertFalse(response.body().contains("hunter2"));
    }

    @Test
    void stackOverflowErrorIsAnsweredAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> response = sample.get("/demo/fail?kind=error");

        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("\"code\":\"INTERNAL_ERROR\""), response.body());
        assertFalse(response.body().contains("StackOverflow"));
        assertEquals(200, sample.get("/demo/hello").statusCode());
    }

    @Test
    void fiveHundredConcurrentMixedRequestsEachGetTheirAnswer() throws Exception {
        String[] paths = {"/demo/hello", "/demo/fail", "/demo/fail?kind=error"};
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            HttpRequest request = HttpRequest.newBuilder(sample.uri(paths[i % 3]))
                    .timeout(Duration.ofSeconds(60)).build();
            responses.add(sample.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        int healthy = 0;
        int failed = 0;
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get();
            if (i % 3 == 0) {
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("{\"message\":\"hello\"}", response.body());
                healthy++;
            } else {
                assertEquals(500, response.statusCode());
                assertTrue(response.body().contains("\"code\":\"INTERNAL_ERROR\""), response.body());
                assertEquals("application/problem+json",
                        response.headers().firstValue("Content-Type").orElseThrow());
                failed++;
            }
        }
        assertEquals(167, healthy);
        assertEquals(333, failed);
        assertEquals(200, sample.get("/demo/hello").statusCode());
    }

    @Test
    void failureAfterCommitAbortsTheConnectionInsteadOfAppendingAnError() throws Exception {
        // keep-alive, so that the body is chunked and an abort is visible (a whole answer would leave the
        // connection open, and the read below would time out instead of seeing the end of the stream)
        String answer = rawExchange("GET /demo/fail?kind=committed HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.contains("partial answer, then a failure"), answer);
        assertFalse(answer.contains("INTERNAL_ERROR"), answer);
        // chunked: a whole response ends with the zero-length chunk; an aborted one does not
        assertTrue(answer.contains("Transfer-Encoding: chunked"), answer);
        assertFalse(answer.endsWith("\r\n0\r\n\r\n"), answer);
        assertThrows(IOException.class, () -> sample.get("/demo/fail?kind=committed"));
    }

    @Test
    void unsafeRequestIdIsReplacedAndSafeOneKept() throws Exception {
        HttpResponse<String> unsafe = sample.send(HttpRequest.newBuilder(sample.uri("/demo/fail"))
                .header("X-Request-Id", "bad id<script>").build());
        String replaced = unsafe.headers().firstValue("X-Request-Id").orElseThrow();
        assertNotEquals("bad id<script>", replaced);
        assertTrue(replaced.matches("[A-Za-z0-9._-]{1,128}"), replaced);
        assertEquals(replaced, requestIdIn(unsafe.body()));

        String tooLong = "a".repeat(129);
        HttpResponse<String> longId = sample.send(HttpRequest.newBuilder(sample.uri("/demo/hello"))
                .header("X-Request-Id", tooLong).build());
        assertNotEquals(tooLong, longId.headers().firstValue("X-Request-Id").orElseThrow());

        HttpResponse<String> safe = sample.send(HttpRequest.newBuilder(sample.uri("/demo/fail"))
                .header("X-Request-Id", "order-42.retry_1").build());
        assertEquals("order-42.retry_1", safe.headers().firstValue("X-Request-Id").orElseThrow());
        assertEquals("order-42.retry_1", requestIdIn(safe.body()));
    }

    @Test
    void headAnswerCarriesNoBody() throws Exception {
        HttpResponse<String> response = sample.send(HttpRequest.newBuilder(sample.uri("/demo/fail"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(500, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("", response.body());
    }

    @Test
    void requestTheAppRejectsAsMalformedIsABadRequestProblem() throws Exception {
        HttpResponse<String> response = sample.get("/demo/slow?ms=abc");

        assertEquals(400, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.body().contains("\"code\":\"BAD_REQUEST\""), response.body());
        assertFalse(response.body().contains("ms must be"), response.body());
    }

    @Test
    void badInitParamFailsTheDeploymentWithTheExactMessage() {
        Exception failure = assertThrows(Exception.class,
                () -> SampleWar.deploy(container,
                        Map.of("breakwater.exceptionMappings", "java.lang.Nope=404:NOT_FOUND")).close());

        assertEquals("exceptionMappings must be a comma-separated list of exception-class=status:CODE, with a"
                + " status from 400 to 599 and a CODE of upper-case letters, digits and _, but was"
                + " \"java.lang.Nope=404:NOT_FOUND\"", rootMessage(failure));
    }

    private static String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", sample.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String requestIdIn(String body) {
        Matcher m = REQUEST_ID.matcher(body);
        assertTrue(m.find(), body);
        return m.group(1);
    }

    static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
