package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.proxy.internal.RetryBudget;
import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void retriesBeyondTheMinimumAreRefusedWhenTheBudgetIsSmaller() throws Exception {
        // 20 % of 10 requests in flight is 2: the minimum of 3 stands
        assertRetriesCappedAt(RetryBudget.MIN_RETRYING, 10, "20");
    }

    @Test
    void retriesStayWithinTheBudgetsShareOfRequestsInFlight() throws Exception {
        assertRetriesCappedAt(5, 20, "25");
    }

    @Test
    void retriesAfterTriesThatWereNeverSentNeedNoBudget() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "maxAttempts", "2",
                "healthCheckPath", "off", "ejectAfterFailures", "1000")) {
            ScriptedBackend healthy = fixture.backend(1);
            fixture.backend(0).kill();
            int requests = 20;
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(fixture.proxy.client().sendAsync(HttpRequest.newBuilder(fixture.proxy.uri("/x?hold=true"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            // about half of them were refused a connection by the dead backend and retried: all held at once
            Await.until("every request reached the live backend", WAIT, () -> healthy.inHandler() == requests);
            assertTrue(counter(fixture, "retries") > RetryBudget.MIN_RETRYING,
                    "more requests retrying at once than any budget allows: " + counter(fixture, "retries"));
            healthy.release();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                assertEquals(200, answer.get(30, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(0, counter(fixture, "retriesOverBudget"));
        }
    }

    /**
     * {@code requests} GETs held on two backends; the first backend then answers all of its share 503 at once. Only
     * the budget's share of them is retried on the second backend; the others get the 503 as if no try were left.
     */
    private static void assertRetriesCappedAt(int cap, int requests, String budget) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin", "maxAttempts", "2",
                "retryBudget", budget, "healthCheckPath", "off", "ejectAfterFailures", "1000")) {
            ScriptedBackend failing = fixture.backend(0);
            ScriptedBackend healthy = fixture.backend(1);
            failing.answerAll(503);
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(fixture.proxy.client().sendAsync(HttpRequest.newBuilder(fixture.proxy.uri("/x?hold=true"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Await.until("every request reached a backend", WAIT,
                    () -> failing.inHandler() + healthy.inHandler() == requests);
            int failed = failing.inHandler();
            int refused = failed - cap;

            failing.release();
            Await.until("the retries within the budget reached the healthy backend", WAIT,
                    () -> healthy.inHandler() == requests - failed + cap);
            Await.until("the retries over the budget were refused", WAIT,
                    () -> counter(fixture, "retriesOverBudget") == refused);
            assertEquals(cap, fixture.servlet.retryingNow());
            healthy.release();

            int ok = 0;
            int unavailable = 0;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
                if (response.statusCode() == 200) {
                    ok++;
                    assertEquals(healthy.name(), response.body());
                } else {
                    unavailable++;
                    assertEquals(503, response.statusCode());
                    assertEquals(failing.name(), response.body(), "the backend's own 503, passed as it came");
                }
            }
            assertEquals(requests - refused, ok);
            assertEquals(refused, unavailable);
            assertEquals(cap, counter(fixture, "retries"));
            assertEquals(refused, counter(fixture, "retriesOverBudget"));
            Await.until("every request gave its place back", WAIT, () -> fixture.servlet.retryingNow() == 0);
        }
    }

    private static long counter(ProxyFixture fixture, String name) {
        return fixture.registry().counter("proxy.proxy." + name).getCount();
    }
}
