package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RetryBudgetTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void retriesBeyondWhatTheTrafficDepositedAreRefused() throws Exception {
        // every backend answers 503: each request deposits a fifth of a retry, so every fifth one may retry
        try (ProxyFixture fixture = ProxyFixture.start(FIXED, 2, "maxAttempts", "2", "retryBudget", "20",
                "retryBudgetMinPerSecond", "0", "healthCheckPath", "off", "ejectAfterFailures", "1000")) {
            fixture.backend(0).answerAll(503);
            fixture.backend(1).answerAll(503);
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = fixture.get("/x");
                assertEquals(503, response.statusCode(), "the backend's own 503, passed as it came");
            }
            assertEquals(4, counter(fixture, "retries"));
            assertEquals(16, counter(fixture, "retriesOverBudget"));
            assertEquals(24, fixture.backend(0).requests() + fixture.backend(1).requests());
        }
    }

    @Test
    void retriesAfterTriesThatWereNeverSentNeedNoBudget() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(FIXED, 2, "strategy", "round-robin", "maxAttempts", "2",
                "retryBudgetMinPerSecond", "0", "healthCheckPath", "off", "ejectAfterFailures", "1000")) {
            ScriptedBackend healthy = fixture.backend(1);
            fixture.backend(0).kill();
            int requests = 20;
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(fixture.proxy.client().sendAsync(HttpRequest.newBuilder(fixture.proxy.uri("/x?hold=true"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            // half of them were refused a connection by the dead backend and retried, more than 20 % of 20
            Await.until("every request reached the live backend", WAIT, () -> healthy.inHandler() == requests);
            healthy.release();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertEquals(200, answer.get(30, TimeUnit.SECONDS).statusCode());
            }
            // 20 % of 20 requests deposited 4 retries, and no floor: every retry past 4 went free. (About half of
            // the requests meet the dead backend first; how many exactly depends on how retries and new requests
            // interleave in the round robin.)
            assertTrue(counter(fixture, "retries") > requests / 5, "retries: " + counter(fixture, "retries"));
            assertEquals(0, counter(fixture, "retriesOverBudget"));
        }
    }

    /**
     * Sixteen clients keep about five requests in flight on each of three backends; one backend is killed, later
     * another frozen. The requests each of them held are retried at once, and none of them fails.
     */
    @Test
    @Timeout(120)
    void killingOneBackendAndFreezingAnotherUnderLoadFailsNoRequest() throws Exception {
        int clients = 16;
        int total = 2400;
        // a health check's time is generous: on a busy host the live backend must not be found unhealthy
        try (ProxyFixture fixture = ProxyFixture.start(3, "tryTimeout", "500ms", "healthCheckInterval", "200ms",
                "healthCheckTimeout", "2s")) {
            AtomicInteger sent = new AtomicInteger();
            Map<String, Integer> failures = new TreeMap<>();
            CountDownLatch third = new CountDownLatch(total / 3);
            CountDownLatch twoThirds = new CountDownLatch(2 * total / 3);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    running.add(pool.submit(() -> {
                        while (sent.incrementAndGet() <= total) {
                            HttpResponse<String> response = fixture.proxy.send(HttpRequest.newBuilder(
                                    fixture.proxy.uri("/load?delayMs=10")).timeout(Duration.ofSeconds(30)).build());
                            if (response.statusCode() != 200) {
                                synchronized (failures) {
                                    String body = response.body();
                                    int at = body.indexOf("\"code\":\"");
                                    String code = at < 0 ? "" : body.substring(at + 8, body.indexOf('"', at + 8));
                                    failures.merge(response.statusCode() + " " + code, 1, Integer::sum);
                                }
                            }
                            third.countDown();
                            twoThirds.countDown();
                        }
                        return null;
                    }));
                }
                third.await();
                fixture.backend(0).kill();
                twoThirds.await();
                fixture.backend(1).freeze();
                for (Future<?> client : running) {
                    client.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(Map.of(), failures, "non-2xx answers by status and code; backend failures "
                    + fixture.backendFailures(fixture.backend(0).url()) + ", "
                    + fixture.backendFailures(fixture.backend(1).url()) + ", "
                    + fixture.backendFailures(fixture.backend(2).url()));
            assertTrue(fixture.retries() > 0, "no request met the dead or the frozen backend");
            assertEquals(0, counter(fixture, "retriesOverBudget"));
        }
    }

    private static long counter(ProxyFixture fixture, String name) {
        return fixture.registry().counter("proxy.proxy." + name).getCount();
    }
}
