package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.internal.ClientFault;
import io.breakwater.testing.Await;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that spoils its own upload hurts only itself: it gets its answer (or none, when it went away), the fault
 * is counted as the client's, and the backend is neither failed nor ejected. Each case runs with a body the proxy
 * buffers (before any backend is chosen) and with one it streams (the try is under way).
 */
class ClientFaultsTest {
    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void aBodyCutShortByAHalfCloseIsTheClientsBadRequest(int sent) throws Exception {
        spoilUpload(client -> client.send(RawClient.head("POST", "/upload", sent * 2L)).sendBody(sent).halfClose(),
                400, "BAD_REQUEST", "badBody");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void aMalformedChunkIsTheClientsBadRequest(int sent) throws Exception {
        spoilUpload(client -> client.send("POST /upload HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(sent) + "\r\n").sendBody(sent).send("\r\nZZ-not-a-size\r\n"),
                400, "BAD_REQUEST", "badBody");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void aStalledUploadIsTheClientsRequestTimeout(int sent) throws Exception {
        spoilUpload(client -> client.send(RawClient.head("PUT", "/upload", sent * 2L)).sendBody(sent),
                408, "REQUEST_TIMEOUT", "stalled", "bodyReadTimeout", "300ms", "tryTimeout", "100ms");
    }

    /** What a client does to its own upload. */
    private interface Spoiler {
        void spoil(RawClient client) throws IOException;
    }

    /** The client spoils its upload, gets the status and code, and the fault is counted as its own only. */
    private static void spoilUpload(Spoiler spoiler, int status, String code, String kind, String... params)
            throws Exception {
        String[] all = Stream.concat(Stream.of("ejectAfterFailures", "1"), Stream.of(params)).toArray(String[]::new);
        try (ProxyFixture fixture = ProxyFixture.start(1, all);
                ErrorLines errors = new ErrorLines();
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            spoiler.spoil(client);
            ProxyFixture.assertProblem(client.answer(), status, code);
            assertBlamedOnTheClient(fixture, kind, errors);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void aClientThatResetsMidUploadGetsNoAnswerAndBlamesNoBackend(int sent) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "ejectAfterFailures", "1");
                ErrorLines errors = new ErrorLines()) {
            RawClient client = RawClient.connect(fixture.proxy.port());
            client.send(RawClient.head("POST", "/upload", sent * 2L)).sendBody(sent);
            client.reset();
            Await.until("the client's fault counted", Duration.ofSeconds(20), () -> faults(fixture) == 1);
            // Jetty reads a reset as the stream's end: the same fault as a half-close, answered to no one
            assertBlamedOnTheClient(fixture, "badBody", errors);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void anUploadStalledNearTheDeadlineGets408NotTheDeadlines503(int sent) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.withChain("4s", 1, "bodyReadTimeout", "10m");
                ErrorLines errors = new ErrorLines();
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            client.send(RawClient.head("POST", "/upload", sent * 2L)).sendBody(sent);
            ProxyFixture.assertProblem(client.answer(), 408, "REQUEST_TIMEOUT");
            // the breaker judges the call when its async cycle completes, which may be after the client read the 408
            Await.until("the call judged", Duration.ofSeconds(20), () -> fixture.breakers().values().stream()
                    .mapToInt(b -> b.getMetrics().getNumberOfSuccessfulCalls()
                            + b.getMetrics().getNumberOfFailedCalls())
                    .sum() == 1);
            fixture.breakers().forEach((name, breaker) -> {
                assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), name);
                assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls(), name);
            });
            assertBlamedOnTheClient(fixture, "stalled", errors);
        }
    }

    @Test
    void aClientThatGoesAwayMidAnswerIsGoneNotABackendFailure() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "ejectAfterFailures", "1");
                ErrorLines errors = new ErrorLines()) {
            RawClient client = RawClient.connect(fixture.proxy.port());
            client.send("GET /download?streamMb=64 HTTP/1.1\r\nHost: proxy\r\n\r\n");
            client.readSome();
            client.reset();
            Await.until("the client's fault counted", Duration.ofSeconds(20), () -> faults(fixture) == 1);
            assertBlamedOnTheClient(fixture, "gone", errors);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 100_000})
    void anUploadThatPausesLikeAPhoneChangingCellsSucceedsWithTheDefaults(int half) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1);
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            client.send(RawClient.head("POST", "/upload", 2L * half)).sendBody(half);
            // the client is silent for 2.5 s, and nothing is answered meanwhile
            long resume = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            Await.until("2.5 s of silence", Duration.ofSeconds(30), () -> {
                try {
                    assertEquals(0, client.available(), "answered while the client paused");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return System.nanoTime() - resume >= 0;
            });
            client.sendBody(half);
            String answer = client.readHead();
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("X-Body-Length: " + 2 * half + "\r\n"), answer);
            assertEquals(0, ClientFaultsTest.faults(fixture));
        }
    }

    @Test
    void aSlowUploadOverTheReplayBufferIsNotTimedByTheTryTimeout() throws Exception {
        int megabytes = 5;
        try (ProxyFixture fixture = ProxyFixture.start(1, "tryTimeout", "1s", "maxAttempts", "1");
                RawClient client = RawClient.connect(fixture.proxy.port())) {
            client.send(RawClient.head("POST", "/upload", megabytes << 20).replace("Host: proxy\r\n",
                    "Host: proxy\r\nConnection: close\r\n"));
            // 1 MB a second, in sixteen pieces each: five times the try timeout, with no pause near bodyReadTimeout
            for (int piece = 0; piece < megabytes * 16; piece++) {
                client.sendBody(64 * 1024);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000 / 16));
            }
            String answer = client.answer();
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("X-Body-Length: " + (megabytes << 20) + "\r\n"), answer);
        }
    }

    @Test
    void twentyBrokenUploadsLeaveEveryBackendHealthyAndEveryBreakerClosed() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.withChain(3, "ejectAfterFailures", "1", "bodyReadTimeout",
                "200ms", "tryTimeout", "1s");
                ErrorLines errors = new ErrorLines()) {
            for (int i = 0; i < 20; i++) {
                int sent = i % 2 == 0 ? 1000 : 100_000;
                try (RawClient client = RawClient.connect(fixture.proxy.port())) {
                    if (i % 4 == 1) {
                        client.send("POST /upload HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + Integer.toHexString(sent) + "\r\n").sendBody(sent).send("\r\nnot-a-size\r\n");
                    } else {
                        client.send(RawClient.head("POST", "/upload", sent * 2L)).sendBody(sent);
                    }
                    switch (i % 4) {
                        case 0 -> client.halfClose();
                        case 1 -> {
                            // the bad chunk is sent
                        }
                        case 2 -> client.reset();
                        default -> {
                            // stalls
                        }
                    }
                    if (i % 4 != 2) {
                        String answer = client.answer();
                        boolean stalled = i % 4 == 3;
                        ProxyFixture.assertProblem(answer, stalled ? 408 : 400,
                                stalled ? "REQUEST_TIMEOUT" : "BAD_REQUEST");
                    }
                }
                assertEquals(200, fixture.get("/well-formed?i=" + i).statusCode());
            }
            Await.until("every fault counted", Duration.ofSeconds(20), () -> faults(fixture) == 20);
            // every request ended for the chain too: none is left active on the route
            assertTrue(fixture.registry().getCounters().containsKey("route./*.active"));
            Await.until("no request active", Duration.ofSeconds(20),
                    () -> fixture.registry().counter("route./*.active").getCount() == 0);
            for (Backend backend : fixture.servlet.pool().all()) {
                assertEquals(0, backend.getFailures(), backend.key());
                assertTrue(backend.isAvailable(), backend.key());
            }
            assertFalse(fixture.breakers().isEmpty());
            fixture.breakers().forEach((name, breaker) -> {
                assertEquals(CircuitBreaker.State.CLOSED, breaker.getState(), name);
                assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls(), name);
            });
            assertEquals(List.of(), errors.lines());
        }
    }

    static long faults(ProxyFixture fixture) {
        long sum = 0;
        for (ClientFault fault : ClientFault.values()) {
            sum += fixture.clientFaults(fault.metricName);
        }
        return sum;
    }

    /** The one fault counted as the client's, the backend untouched, and a well-formed request still served. */
    static void assertBlamedOnTheClient(ProxyFixture fixture, String kind, ErrorLines errors) throws Exception {
        assertEquals(1, fixture.clientFaults(kind), kind);
        assertEquals(1, faults(fixture));
        for (Backend backend : fixture.servlet.pool().all()) {
            assertEquals(0, backend.getFailures(), backend.key());
            assertTrue(backend.isAvailable(), backend.key());
        }
        assertEquals(200, fixture.get("/after").statusCode());
        assertEquals(List.of(), errors.lines());
    }
}
