package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strategies and deadlines through the real proxy. */
class BalancingTest {

    @Test
    void weightedRoundRobinFollowsTheWeightsThroughTheProxy() throws Exception {
        try (ScriptedBackend a = ScriptedBackend.start("a"); ScriptedBackend b = ScriptedBackend.start("b");
                ProxyFixture fixture = ProxyFixture.start(0, "strategy", "weighted",
                        "backends", a.url() + ";weight=3," + b.url())) {
            for (int i = 0; i < 200; i++) {
                assertEquals(200, fixture.get("/x").statusCode());
            }
            assertEquals(150, a.requests());
            assertEquals(50, b.requests());
        }
    }

    @Test
    void hashingOnAHeaderKeepsEachClientOnItsBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "strategy", "hash", "hashKey", "header:X-Client")) {
            Map<String, String> first = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int client = 0; client < 20; client++) {
                    HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                            fixture.proxy.uri("/x")).header("X-Client", "client-" + client).build());
                    String previous = first.putIfAbsent("client-" + client, response.body());
                    if (previous != null) {
                        assertEquals(previous, response.body(), "client-" + client + " moved");
                    }
                }
            }
            assertTrue(first.values().stream().distinct().count() > 1, "all clients on one backend");
        }
    }

    @Test
    void answers504WhenTheRequestsDeadlinePassesAndTriesNoFurther() throws Exception {
        // a deadline that leaves the first try time to start even on a loaded machine
        try (ProxyFixture fixture = ProxyFixture.withDeadline(Duration.ofMillis(1000), 2, "tryTimeout", "5s")) {
            long start = System.nanoTime();
            HttpResponse<String> response = fixture.get("/x?delayMs=3000");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_TIMEOUT\""), response.body());
            assertEquals(1, fixture.backend(0).requests() + fixture.backend(1).requests());
            assertTrue(millis < 2500, "took " + millis + " ms");
            long sentBudget = Long.parseLong(fixture.backends.stream().flatMap(b -> b.received().stream())
                    .findFirst().orElseThrow().headers().get(BalancingProxyServlet.DEADLINE_HEADER));
            assertTrue(sentBudget > 0 && sentBudget <= 1000, "budget " + sentBudget);
        }
    }

    @Test
    void retriesANonIdempotentRequestThatReachedTheBackendOnlyWhenAllowed() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "retryNonIdempotent", "true",
                "ejectAfterFailures", "100")) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/orders?failFirst=1&key=post-allowed"))
                    .POST(HttpRequest.BodyPublishers.ofString("order")).build());
            assertEquals(200, response.statusCode());
            assertEquals("5", response.headers().firstValue("X-Body-Length").orElseThrow());
        }
        try (ProxyFixture fixture = ProxyFixture.start(2, "ejectAfterFailures", "100")) {
            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                    fixture.proxy.uri("/orders?failFirst=1&key=post-refused"))
                    .POST(HttpRequest.BodyPublishers.ofString("order")).build());
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"BACKEND_ERROR\""), response.body());
        }
    }
}
