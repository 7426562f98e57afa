package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailoverTest {

    @Test
    void proxiesGetToABackendAndNamesTheRequestId() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/hello?x=1"))
                    .header("X-Request-Id", "abc-123").GET().build());
            assertEquals(200, response.statusCode());
            assertEquals("b0", response.body());
            assertEquals("abc-123", response.headers().firstValue("X-Request-Id").orElseThrow());
            ScriptedBackend.Received received = fixture.backend(0).received().get(0);
            assertEquals("/hello?x=1", received.target());
            assertEquals("abc-123", received.headers().get("X-Request-Id"));
        }
    }

    @Test
    void retriesABackend503OnAnotherBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "ejectAfterFailures", "100")) {
            fixture.backend(0).answerAll(503);
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = fixture.get("/x");
                assertEquals(200, response.statusCode());
                assertEquals("b1", response.body());
            }
            assertEquals(4, fixture.backend(1).requests());
        }
    }

    @Test
    void passesTheLastAttemptsOwn5xxThroughAsItIs() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "ejectAfterFailures", "100")) {
            HttpResponse<String> response = fixture.get("/x?status=503");
            assertEquals(503, response.statusCode());
            String answeredBy = response.headers().firstValue("X-Backend").orElseThrow();
            assertEquals(answeredBy, response.body());
            assertEquals(2, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void retriesIdempotentRequestAfterConnectionClosedOnAnotherBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin")) {
            HttpResponse<String> first = fixture.get("/x?failFirst=1&key=a");
            assertEquals(200, first.statusCode());
            assertEquals(2, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void retriesAGetWhoseAnswerBrokeBeforeAnyByteReachedTheClient() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "ejectAfterFailures", "100")) {
            HttpResponse<String> response = fixture.get("/x?breakBody=1&key=broken-get");
            assertEquals(200, response.statusCode());
            assertEquals(response.headers().firstValue("X-Backend").orElseThrow(), response.body());
            assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
            assertEquals(1, fixture.retries());
        }
    }

    @Test
    void doesNotRetryAPostWhoseAnswerBroke() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "ejectAfterFailures", "100")) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/orders?breakBody=1&key=broken-post"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_ERROR\""), response.body());
            assertEquals(0, fixture.retries());
        }
    }

    @Test
    void answers503NoHealthyBackendsQuicklyWhenAllAreDown() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "healthCheckInterval", "100ms", "unhealthyAfter", "1")) {
            for (ScriptedBackend backend : fixture.backends) {
                backend.kill();
            }
            Await.until("no backend is healthy", Duration.ofSeconds(5),
                    () -> fixture.servlet.pool().candidates(java.util.Set.of()).isEmpty());
            long start = System.nanoTime();
            HttpResponse<String> response = fixture.get("/x");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(response.body().contains("\"code\":\"NO_HEALTHY_BACKENDS\""), response.body());
            assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(millis < 100, "took " + millis + " ms");
        }
    }

    @Test
    void answers502BackendErrorWhenEveryAttemptFailsToConnect() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "healthCheckPath", "off")) {
            fixture.backend(0).kill();
            fixture.backend(1).kill();
            HttpResponse<String> response = fixture.get("/x");
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_ERROR\""), response.body());
            assertTrue(!response.body().contains("127.0.0.1"), response.body());
        }
    }

    @Test
    void retriesPostAfterConnectFailure() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "healthCheckPath", "off")) {
            fixture.backend(0).kill();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/orders"))
                        .POST(HttpRequest.BodyPublishers.ofString("hello")).build());
                assertEquals(200, response.statusCode());
                assertEquals("b1", response.body());
                assertEquals("5", response.headers().firstValue("X-Body-Length").orElseThrow());
            }
        }
    }

    @Test
    void doesNotRetryPostThatReachedTheBackendAndTimedOut() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "tryTimeout", "300ms")) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/orders?delayMs=3000")).POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(504, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_TIMEOUT\""), response.body());
            assertEquals(1, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void retriesGetThatTimedOutOnAnotherBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "tryTimeout", "300ms", "strategy", "round-robin")) {
            fixture.backend(0).freeze();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = fixture.get("/x");
                assertEquals(200, response.statusCode());
                assertEquals("b1", response.body());
            }
        }
    }

    @Test
    void streamsABodyOverTheReplayBufferAndDoesNotRetryIt() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "replayBufferSize", "1KB", "strategy", "round-robin")) {
            byte[] body = new byte[4096];
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/upload?status=503")).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            assertEquals(503, response.statusCode());
            assertEquals("4096", response.headers().firstValue("X-Body-Length").orElseThrow());
            assertEquals(1, fixture.backend(0).requests() + fixture.backend(1).requests());

            HttpResponse<String> small = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/upload?status=503")).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[512]))
                    .build());
            assertEquals(503, small.statusCode());
            assertEquals(3, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void rejectsABodyOverTheMaximumWith413BeforeAnyBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "maxBodySize", "2KB")) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])).build());
            assertEquals(413, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"PAYLOAD_TOO_LARGE\""), response.body());
            assertEquals(0, fixture.backend(0).requests());
        }
    }

    @Test
    void givesUpOnABackendWhoseConnectionsStayBusyPastTheConnectionWait() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "maxConnectionsPerBackend", "1", "connectionWait", "200ms",
                "tryTimeout", "10s", "healthCheckPath", "off")) {
            // The first connection, with the client's classes still to load, can take longer than the 200 ms wait
            // on a loaded machine; once one is open, the held request reuses it.
            Await.until("a connection to b0 is open", Duration.ofSeconds(10), () -> warmUp(fixture));
            int warmUps = fixture.backend(0).requests();
            java.util.concurrent.CompletableFuture<HttpResponse<String>> held =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return fixture.get("/x?hold=true");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
            Await.until("the held request is in b0", Duration.ofSeconds(5),
                    () -> fixture.backend(0).inHandler() == 1);
            long start = System.nanoTime();
            HttpResponse<String> response = fixture.get("/x");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_ERROR\""), response.body());
            assertTrue(millis < 2000, "took " + millis + " ms");
            fixture.backend(0).release();
            assertEquals(200, held.get().statusCode());
            assertEquals(warmUps + 1, fixture.backend(0).requests(), "only the held request reached b0");
        }
    }

    @Test
    void ejectsABackendAfterThreeConsecutiveFailures() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "healthCheckPath", "off")) {
            fixture.backend(0).answerAll(503);
            for (int i = 0; i < 12; i++) {
                assertEquals(200, fixture.get("/x").statusCode());
            }
            assertEquals(3, fixture.backend(0).requests());
            assertTrue(fixture.servlet.pool().all().get(0).isEjected());
        }
    }

    private static boolean warmUp(ProxyFixture fixture) {
        try {
            return fixture.get("/warm-up").statusCode() == 200;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
