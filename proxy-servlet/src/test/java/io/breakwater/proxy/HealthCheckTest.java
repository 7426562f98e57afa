package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.testing.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Active health checks on their own connections, and how they combine with what proxied requests show. */
class HealthCheckTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static Backend backend(ProxyFixture fixture, int i) {
        return fixture.servlet.pool().all().get(i);
    }

    @Test
    void aBackendThatStopsAnsweringHealthChecksButAnswersRequestsStaysIn() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "healthCheckInterval", "1s",
                "healthCheckTimeout", "500ms", "unhealthyAfter", "1")) {
            // the first check goes out at start, before any request was answered: it must pass
            Await.until("the first check answered", PATIENCE, () -> fixture.backend(0).healthChecks() >= 1);
            assertEquals(200, fixture.get("/x").statusCode());
            assertEquals(200, fixture.get("/x").statusCode());
            fixture.backend(0).freezeHealth();
            int checks = fixture.backend(0).healthChecks();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            // four checks left unanswered, each while requests to it were answered
            while (fixture.backend(0).healthChecks() < checks + 5 && System.nanoTime() < deadline) {
                assertEquals(200, fixture.get("/x").statusCode());
                assertTrue(backend(fixture, 0).isHealthy(), "taken out while answering requests");
            }
            assertTrue(fixture.backend(0).healthChecks() >= checks + 5, "not within " + PATIENCE);
            assertTrue(fixture.backend(0).requests() > 0);
        }
    }

    @Test
    void aBackendThatStopsAnsweringHealthChecksAndGetsNoRequestsIsTakenOut() throws Exception {
        // a timeout generous enough that the answering backend's checks pass on a loaded host
        try (ProxyFixture fixture = ProxyFixture.start(2, "healthCheckInterval", "100ms",
                "healthCheckTimeout", "1s", "unhealthyAfter", "2")) {
            fixture.backend(0).freezeHealth();
            Await.until("backend 0 unhealthy", PATIENCE, () -> !backend(fixture, 0).isHealthy());
            assertTrue(backend(fixture, 1).isHealthy());
            assertEquals("b1", fixture.get("/x").headers().firstValue("X-Backend").orElse(""));
        }
    }

    @Test
    void aBackendThatDiesIsTakenOutThoughItAnsweredRequestsJustBefore() throws Exception {
        // a dead backend refuses its checks at once; the live one has two chances of a second each
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "healthCheckInterval", "200ms",
                "healthCheckTimeout", "1s", "unhealthyAfter", "2", "ejectAfterFailures", "1000")) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, fixture.get("/x").statusCode());
            }
            fixture.backend(0).kill();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (backend(fixture, 0).isHealthy() && System.nanoTime() < deadline) {
                assertEquals(200, fixture.get("/x").statusCode()); // failover to b1 meanwhile
            }
            assertTrue(!backend(fixture, 0).isHealthy(), "still in after " + PATIENCE);
            assertEquals("b1", fixture.get("/x").headers().firstValue("X-Backend").orElse(""));
        }
    }

    @Test
    void healthChecksDoNotWaitBehindProxiedRequestsForAConnection() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1, "maxConnectionsPerBackend", "1", "connectionWait", "off",
                "tryTimeout", "30s", "healthCheckInterval", "100ms", "healthCheckTimeout", "5s",
                "unhealthyAfter", "1")) {
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.get("/x?hold=true");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the held request is in b0", PATIENCE, () -> fixture.backend(0).inHandler() == 1);
            int checks = fixture.backend(0).healthChecks();
            // the proxy's only connection to b0 is busy: a check through it would wait, time out and count
            Await.until("four checks reached b0", PATIENCE, () -> fixture.backend(0).healthChecks() >= checks + 4);
            assertTrue(backend(fixture, 0).isHealthy());
            fixture.backend(0).release();
            assertEquals(200, held.get().statusCode());
        }
    }
}
