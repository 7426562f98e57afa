package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.internal.Hedging;
import io.breakwater.proxy.internal.TryListener;
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
            Await.until("the late answer is read", Duration.ofSeconds(20), () -> slow.getInFlight() == 0);
            assertEquals(0, slow.getFailures());
            // a hedge's answer passed whole reaches the client before Jetty's client ends the hedge's exchange
            Await.until("every hedge ended", Duration.ofSeconds(20), () -> fixture.servlet.hedgesInFlight() == 0);
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
        try (ProxyFixture fixture = twoBackendsWithOneHedge()) {
            fixture.backend(0).freeze();
            CompletableFuture<HttpResponse<String>> answer = fixture.proxy.client().sendAsync(
                    HttpRequest.newBuilder(fixture.proxy.uri("/x?breakBody=1&key=broken-last-hedge")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Backend hedged = backend(fixture, 1);
            Await.until("the hedge's answer broke", Duration.ofSeconds(20), () -> hedged.getFailures() == 1);
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
    void aFailoverAnswerDroppedForTheHedgeBesideItIsTheClientsWhenTheHedgeFails() throws Exception {
        try (ProxyFixture fixture = twoBackendsWithOneHedge()) {
            fixture.backend(1).breakAll();
            HttpResponse<String> response = dropA503ForTheHedgeThenEndTheHedge(fixture, "/x?hold=true");
            assertEquals(503, response.statusCode());
            assertEquals("b0", response.body());
            assertEquals("b0", response.headers().firstValue("X-Backend").orElseThrow());
            assertEquals(1, backend(fixture, 1).getFailures(), "the hedge's connection broke");
        }
    }

    @Test
    void aFailoverAnswerOverTheKeptLimitIsDroppedAndAFailingHedgeGives502() throws Exception {
        try (ProxyFixture fixture = twoBackendsWithOneHedge()) {
            fixture.backend(1).breakAll();
            HttpResponse<String> response = dropA503ForTheHedgeThenEndTheHedge(fixture,
                    "/x?hold=true&bodyBytes=" + (TryListener.KEPT_ANSWER_LIMIT + 1));
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("BACKEND_ERROR"), response.body());
        }
    }

    @Test
    void aFailoverAnswerDroppedForTheHedgeBesideItLeavesTheAnswerToTheHedge() throws Exception {
        try (ProxyFixture fixture = twoBackendsWithOneHedge()) {
            HttpResponse<String> response = dropA503ForTheHedgeThenEndTheHedge(fixture, "/x?hold=true");
            assertEquals(200, response.statusCode());
            assertEquals("b1", response.body());
            assertEquals(0, backend(fixture, 1).getFailures());
        }
    }

    /**
     * The first try (round-robin's first backend, answering 503) waits until the hedge reached the second backend,
     * then answers: its 503 is dropped for the hedge, with no further try allowed. Then the hedge is let go.
     */
    private static HttpResponse<String> dropA503ForTheHedgeThenEndTheHedge(ProxyFixture fixture, String target)
            throws Exception {
        fixture.backend(0).answerAll(503);
        CompletableFuture<HttpResponse<String>> answer = fixture.proxy.client().sendAsync(
                HttpRequest.newBuilder(fixture.proxy.uri(target)).build(), HttpResponse.BodyHandlers.ofString());
        // on a busy host the first try may reach its backend after the hedge reached the other
        Await.until("the first try waits on the first backend, the hedge on the second", Duration.ofSeconds(20),
                () -> fixture.backend(0).inHandler() == 1 && fixture.backend(1).inHandler() == 1);
        fixture.backend(0).release();
        Backend first = backend(fixture, 0);
        Await.until("the first try's 503 was dropped", Duration.ofSeconds(20), () -> first.getFailures() == 1);
        assertTrue(!answer.isDone(), "answered before the hedge did: " + (answer.isDone() ? answer.get() : ""));
        fixture.backend(1).release();
        HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
        assertEquals(1, counter(fixture, "hedges"));
        assertEquals(0, counter(fixture, "retries"));
        return response;
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
            Await.until("every hedge ended", Duration.ofSeconds(20), () -> fixture.servlet.hedgesInFlight() == 0);
        }
    }

    /** Round-robin over two backends, first try on the first, a hedge after 100 ms, no third try. */
    private static ProxyFixture twoBackendsWithOneHedge() throws Exception {
        return ProxyFixture.start(2, "strategy", "round-robin", "hedgeAfter", "100ms", "tryTimeout", "10s",
                "maxAttempts", "2", "healthCheckPath", "off", "ejectAfterFailures", "100");
    }

    private static long counter(ProxyFixture fixture, String name) {
        return fixture.registry().counter("proxy.proxy." + name).getCount();
    }

    private static Backend backend(ProxyFixture fixture, int index) {
        String url = fixture.backend(index).url();
        return fixture.servlet.pool().all().stream().filter(b -> b.key().equals(url)).findFirst().orElseThrow();
    }
}
