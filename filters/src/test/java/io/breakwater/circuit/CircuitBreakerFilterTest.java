package io.breakwater.circuit;

import static io.breakwater.circuit.CircuitBreakerFixture.FAILING;
import static io.breakwater.circuit.CircuitBreakerFixture.HEALTHY;
import static io.breakwater.circuit.CircuitBreakerFixture.assertCircuitOpen;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerFilterTest {

    @Test
    void opensAfterFailureRateExceededAndAnswersCircuitOpenWithoutCallingTheServlet() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.open();

            HttpResponse<String> rejected = fixture.get("/fail/other");

            assertCircuitOpen(rejected, "10");
            assertEquals(4, fixture.failing.calls.get());
            assertEquals(200, fixture.get("/ok/x").statusCode());
            assertEquals(1, fixture.healthy.calls.get());
            assertEquals(State.CLOSED, fixture.breaker(HEALTHY).getState());
            assertEquals(1L, fixture.metrics().counter("filter.circuitBreaker.rejections").getCount());
            assertEquals(1L, fixture.metrics().counter("circuit./fail/*.rejectedCalls").getCount());
            assertEquals(State.OPEN.getOrder(), fixture.metrics().getGauges().get("circuit./fail/*.state").getValue());
            assertEquals(100.0f, fixture.metrics().getGauges().get("circuit./fail/*.failureRate").getValue());
        }
    }

    @Test
    void retryAfterCountsTheWholeSecondsLeftUntilAProbeIsAllowed() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.open();

            fixture.clock.advance(Duration.ofMillis(3500));
            assertCircuitOpen(fixture.get("/fail/x"), "7");
            fixture.clock.advance(Duration.ofMillis(6400));
            assertCircuitOpen(fixture.get("/fail/x"), "1");
            assertEquals(4, fixture.failing.calls.get());
        }
    }

    @Test
    void halfOpenLetsExactlyThePermittedProbesThroughUnderConcurrencyAndTheirSuccessCloses() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.open();
            fixture.clock.advance(Duration.ofSeconds(10).plusMillis(1));
            fixture.failing.status.set(200);
            CountDownLatch gate = fixture.failing.gated();

            List<Future<HttpResponse<String>>> responses = callAtOnce(fixture, 100, gate, 97);

            List<Integer> statuses = new ArrayList<>();
            for (Future<HttpResponse<String>> response : responses) {
                statuses.add(response.get(20, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(97, statuses.stream().filter(status -> status == 503).count());
            assertEquals(3, statuses.stream().filter(status -> status == 200).count());
            assertEquals(4 + 3, fixture.failing.calls.get());
            assertEquals(State.CLOSED, fixture.breaker(FAILING).getState());
            assertEquals(200, fixture.get("/fail/x").statusCode());
        }
    }

    @Test
    void aHalfOpenBreakerWhoseProbeNeverEndsOpensAgainAfterMaxWaitInHalfOpen() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of("halfOpenCalls", "1",
                "maxWaitInHalfOpen", "30s"))) {
            fixture.open();
            fixture.clock.advance(Duration.ofSeconds(10).plusMillis(1));
            CountDownLatch gate = fixture.failing.gated();
            // the probe's end is never told while the gate is shut: for the breaker, a lost probe
            CompletableFuture<HttpResponse<String>> probe = fixture.server.client().sendAsync(HttpRequest.newBuilder(
                    fixture.server.uri("/fail/x")).build(), HttpResponse.BodyHandlers.ofString());
            CircuitBreakerFixture.awaitTrue(() -> fixture.failing.calls.get() == 5, "the probe reached the route");
            assertEquals(503, fixture.get("/fail/x").statusCode(), "half-open, its one probe taken");
            assertEquals(State.HALF_OPEN, fixture.breaker(FAILING).getState());

            fixture.clock.advance(Duration.ofSeconds(30));
            assertEquals(503, fixture.get("/fail/x").statusCode());
            assertEquals(State.OPEN, fixture.breaker(FAILING).getState(), "opened again, not half-open for good");
            fixture.clock.advance(Duration.ofSeconds(10).plusMillis(1));
            fixture.failing.status.set(200);
            gate.countDown();
            assertEquals(200, probe.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals(200, fixture.get("/fail/x").statusCode(), "a new probe went through");
            assertEquals(6, fixture.failing.calls.get());
        }
    }

    @Test
    void failedProbesReopenWithTheWaitGrown() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of("waitInOpenMultiplier", "2"))) {
            fixture.open();
            assertCircuitOpen(fixture.get("/fail/x"), "10");
            fixture.clock.advance(Duration.ofSeconds(11));

            for (int probe = 0; probe < 3; probe++) {
                assertEquals(500, fixture.get("/fail/x").statusCode());
            }

            assertEquals(State.OPEN, fixture.breaker(FAILING).getState());
            assertCircuitOpen(fixture.get("/fail/x"), "20");
            assertEquals(4 + 3, fixture.failing.calls.get());
        }
    }

    @Test
    void clientErrorsNeverOpenIt() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.failing.status.set(404);
            for (int i = 0; i < 10; i++) {
                assertEquals(404, fixture.get("/fail/x").statusCode());
            }
            fixture.failing.status.set(429);
            for (int i = 0; i < 10; i++) {
                assertEquals(429, fixture.get("/fail/x").statusCode());
            }

            assertEquals(State.CLOSED, fixture.breaker(FAILING).getState());
            assertEquals(0.0f, fixture.breaker(FAILING).getMetrics().getFailureRate());
            assertEquals(429, fixture.get("/fail/x").statusCode());
            assertEquals(21, fixture.failing.calls.get());
        }
    }

    @Test
    void slowCallsOpenItWhenConfigured() throws Exception {
        Map<String, String> params = Map.of("slowCallDuration", "1s", "slowCallRateThreshold", "50");
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(params)) {
            fixture.healthy.taking(Duration.ofSeconds(2));
            for (int i = 0; i < 4; i++) {
                assertEquals(200, fixture.get("/ok/x").statusCode());
            }

            assertEquals(State.OPEN, fixture.breaker(HEALTHY).getState());
            assertEquals(100.0f, fixture.breaker(HEALTHY).getMetrics().getSlowCallRate());
            assertCircuitOpen(fixture.get("/ok/x"), "10");
            assertEquals(4, fixture.healthy.calls.get());
        }
    }

    @Test
    void slowCallsDoNotOpenItByDefault() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.healthy.taking(Duration.ofMinutes(5));
            for (int i = 0; i < 10; i++) {
                assertEquals(200, fixture.get("/ok/x").statusCode());
            }

            assertEquals(State.CLOSED, fixture.breaker(HEALTHY).getState());
        }
    }

    @Test
    void slowCallOverrideAppliesToItsRouteOnly() throws Exception {
        Map<String, String> params = Map.of("slowCallDuration", "1s", "slowCallRateThreshold", "50",
                "slowCallDurationOverrides", "/ok/*=1m");
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(params)) {
            fixture.healthy.taking(Duration.ofSeconds(2));
            fixture.failing.taking(Duration.ofSeconds(2));
            fixture.failing.status.set(200);
            for (int i = 0; i < 4; i++) {
                assertEquals(200, fixture.get("/ok/x").statusCode());
                assertEquals(200, fixture.get("/fail/x").statusCode());
            }

            assertEquals(State.CLOSED, fixture.breaker(HEALTHY).getState());
            assertEquals(State.OPEN, fixture.breaker(FAILING).getState());
        }
    }

    @Test
    void routeKeptOutByAnOffOverrideIsNeverCutOff() throws Exception {
        try (CircuitBreakerFixture fixture =
                CircuitBreakerFixture.start(Map.of("failureRateThresholdOverrides", "/fail/*=off"))) {
            for (int i = 0; i < 10; i++) {
                assertEquals(500, fixture.get("/fail/x").statusCode());
            }

            assertEquals(10, fixture.failing.calls.get());
        }
    }

    @Test
    void fixedBreakerNameIsSharedByEveryRoute() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of("breakerName", "fixed-name"))) {
            for (int i = 0; i < 4; i++) {
                assertEquals(500, fixture.get("/fail/x").statusCode());
            }

            assertCircuitOpen(fixture.get("/ok/x"), "10");
            assertEquals(0, fixture.healthy.calls.get());
        }
    }

    /**
     * Sends the requests from as many threads released at once; the gated probes are let go only once every other
     * request has been answered, so that a probe still in the servlet cannot make room for another one.
     */
    private static List<Future<HttpResponse<String>>> callAtOnce(CircuitBreakerFixture fixture, int threads,
            CountDownLatch gate, int expectedRejections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger rejections = new AtomicInteger();
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                responses.add(pool.submit(() -> {
                    ready.countDown();
                    go.await(10, TimeUnit.SECONDS);
                    HttpResponse<String> response = fixture.get("/fail/x");
                    if (response.statusCode() == 503) {
                        rejections.incrementAndGet();
                    }
                    return response;
                }));
            }
            ready.await(10, TimeUnit.SECONDS);
            go.countDown();
            CircuitBreakerFixture.awaitTrue(() -> rejections.get() == expectedRejections,
                    expectedRejections + " requests were rejected");
            gate.countDown();
            return responses;
        } finally {
            pool.shutdown();
        }
    }
}
