package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HedgingTest {

    @Test
    void aGetWithNoAnswerAfterHedgeAfterIsAnsweredByAnotherBackend() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "100ms",
                "tryTimeout", "10s", "healthCheckPath", "off")) {
            fixture.backend(0).freeze();
            // round-robin sends one of the two to the frozen backend first; without a hedge it would wait 10 s
            for (int i = 0; i < 2; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = fixture.get("/x");
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(200, response.statusCode());
                assertEquals("b1", response.body());
                assertTrue(millis < 3_000, "took " + millis + " ms");
            }
            Backend slow = backend(fixture, 0);
            long hedges = counter(fixture, "hedges");
            assertTrue(hedges >= 1, "hedges: " + hedges);
            assertEquals(hedges, counter(fixture, "hedgeWins"));
            assertEquals(hedges, slow.getInFlight(), "the frozen backend's tries are still in flight");
            assertEquals(0, counter(fixture, "retries"));

            // The frozen backend's late answers are read and dropped; they count as successes, not failures.
            fixture.backend(0).thaw();
            Await.until("the late answer is read", Duration.ofSeconds(5), () -> slow.getInFlight() == 0);
            assertEquals(0, slow.getFailures());
            assertEquals(0, fixture.servlet.hedgesInFlight());
        }
    }

    @Test
    void aWinningHedgeWhoseAnswerBreaksIsReplacedByATryBesideTheSlowOne() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "strategy", "round-robin", "hedgeAfter", "100ms",
                "tryTimeout", "10s", "maxAttempts", "3", "healthCheckPath", "off", "ejectAfterFailures", "100")) {
            // round-robin's first try goes to the frozen backend; the hedge's answer breaks (the key's first
            // answer does), still in the response's buffer; a third try answers while the first still waits
            fixture.backend(0).freeze();
            long start = System.nanoTime();
            HttpResponse<String> response = fixture.get("/x?breakBody=1&key=broken-hedge");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(200, response.statusCode());
            assertEquals(response.headers().firstValue("X-Backend").orElseThrow(), response.body());
            assertTrue(millis < 5_000, "took " + millis + " ms");
            assertEquals(1, counter(fixture, "hedges"));
            assertEquals(1, counter(fixture, "retries"));
            assertEquals(2, fixture.backend(1).requests() + fixture.backend(2).requests());
            assertEquals(1, backend(fixture, 0).getInFlight(), "the first try still waits for its frozen backend");
        }
    }

    @Test
    void aWinningHedgeWhoseAnswerBreaksLeavesTheAnswerToTheSlowTryWhenNoOtherTryIsAllowed() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "100ms",
                "tryTimeout", "10s", "maxAttempts", "2", "healthCheckPath", "off", "ejectAfterFailures", "100")) {
            fixture.backend(0).freeze();
            CompletableFuture<HttpResponse<String>> answer = fixture.proxy.client().sendAsync(
                    HttpRequest.newBuilder(fixture.proxy.uri("/x?breakBody=1&key=broken-last-hedge")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Backend hedged = backend(fixture, 1);
            Await.until("the hedge's answer broke", Duration.ofSeconds(5), () -> hedged.getFailures() == 1);
            assertEquals(1, backend(fixture, 0).getInFlight(), "the first try still waits for its frozen backend");
            assertTrue(!answer.isDone(), "answered before the first try did: " + (answer.isDone() ? answer.get() : ""));
            fixture.backend(0).thaw();
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("b0", response.body());
            assertEquals(1, counter(fixture, "hedges"));
            assertEquals(0, counter(fixture, "retries"));
        }
    }

    @Test
    void aPostIsNotHedged() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "50ms",
                "tryTimeout", "500ms", "healthCheckPath", "off")) {
            fixture.backend(0).freeze();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                statuses.add(fixture.proxy.send(HttpRequest.newBuilder(fixture.proxy.uri("/orders"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode());
            }
            assertEquals(List.of(200, 504), statuses.stream().sorted().toList());
            assertEquals(0, counter(fixture, "hedges"));
            assertEquals(1, fixture.backend(1).requests());
        }
    }

    @Test
    void aPostIsNotHedgedEvenWhenItMayBeRetried() throws Exception {
        // retryNonIdempotent lets a POST follow a failed try; a hedge would run beside one that may still succeed
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "50ms",
                "tryTimeout", "500ms", "retryNonIdempotent", "true", "healthCheckPath", "off")) {
            fixture.backend(0).freeze();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                        fixture.proxy.uri("/orders")).POST(HttpRequest.BodyPublishers.ofString("x")).build());
                assertEquals(200, response.statusCode());
            }
            assertEquals(0, counter(fixture, "hedges"));
            // each POST reached the live backend once: after its try on the frozen one timed out, or first
            assertEquals(2, fixture.backend(1).requests());
            assertTrue(counter(fixture, "retries") >= 1, "round-robin sent at least one POST to the frozen backend");
        }
    }

    @Test
    void aFastAnswerIsNotHedged() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "hedgeAfter", "1s", "healthCheckPath", "off")) {
            for (int i = 0; i < 20; i++) {
                assertEquals(200, fixture.get("/x").statusCode());
            }
            assertEquals(0, counter(fixture, "hedges"));
            assertEquals(20, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void hedgesInFlightStayWithinTheMinimumWhenTheBudgetIsSmaller() throws Exception {
        assertHedgesInFlightCappedAt(Hedging.MIN_IN_FLIGHT, "20");
    }

    @Test
    void hedgesInFlightStayWithinTheBudgetsShareOfRequests() throws Exception {
        assertHedgesInFlightCappedAt(5, "50");
    }

    /** Ten GETs to two frozen backends: each asks for a hedge every 50 ms; only the budget's share gets one. */
    private static void assertHedgesInFlightCappedAt(int cap, String budget) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "hedgeAfter", "50ms", "hedgeBudget", budget,
                "tryTimeout", "3s", "maxAttempts", "2", "healthCheckPath", "off", "ejectAfterFailures", "100")) {
            fixture.backend(0).freeze();
            fixture.backend(1).freeze();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(fixture.proxy.client().sendAsync(HttpRequest.newBuilder(fixture.proxy.uri("/x")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int others = 10 - cap;
            Await.until("every request beyond the budget was refused a hedge", Duration.ofSeconds(2),
                    () -> counter(fixture, "hedgesOverBudget") >= 2L * others);
            assertEquals(cap, counter(fixture, "hedges"));
            assertEquals(cap, fixture.servlet.hedgesInFlight());
            fixture.backend(0).thaw();
            fixture.backend(1).thaw();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertEquals(200, answer.get(10, TimeUnit.SECONDS).statusCode());
            }
            Await.until("every hedge ended", Duration.ofSeconds(5), () -> fixture.servlet.hedgesInFlight() == 0);
        }
    }

    private static long counter(ProxyFixture fixture, String name) {
        return fixture.registry().counter("proxy.proxy." + name).getCount();
    }

    private static Backend backend(ProxyFixture fixture, int index) {
        String url = fixture.backend(index).url();
        return fixture.servlet.pool().all().stream().filter(b -> b.key().equals(url)).findFirst().orElseThrow();
    }
}
