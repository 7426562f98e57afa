package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.breakwater.testing.Await;
import org.junit.jupiter.api.Test;

/** The sample WAR, deployed from its own web.xml with the concurrency limit's defaults, flooded. */
class OverloadIT {
    private static final int FLOOD = 100;
    private static final int SLOW_MS = 10_000;

    @Test
    void floodingTheSampleShedsTheExcessAndKeepsItsProbesAnswering() throws Exception {
        // the sample's deadline (5s) made long enough for the held requests; the limit keeps its defaults
        try (SampleWar sample = SampleWar.deploy(Map.of("breakwater.timeout", "1m"))) {
            List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                // long enough that the whole flood is in before the first answer: the limit is still its initial 20
                flood.add(sample.client().sendAsync(HttpRequest.newBuilder(sample.uri("/demo/slow?ms=" + SLOW_MS))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Object first = CompletableFuture.anyOf(flood.toArray(new CompletableFuture<?>[0]))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(503, ((HttpResponse<?>) first).statusCode(), "the first answer is a shed one, at once");
            assertEquals(200, sample.get("/breakwater/ready").statusCode());
            assertEquals(200, sample.get("/breakwater/health").statusCode());
            Await.until("the admitted requests are all inside the app", Duration.ofSeconds(30),
                    () -> metric(sample, "\"filter.concurrencyLimit.inFlight\":{\"value\":20}"));
            assertTrue(metric(sample, "\"filter.concurrencyLimit.limit\":{\"value\":20}"));

            int ok = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> answer : flood) {
                HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                if (response.statusCode() == 200) {
                    ok++;
                    assertEquals("{\"sleptMs\":" + SLOW_MS + "}", response.body());
                    continue;
                }
                overloaded++;
                assertEquals(503, response.statusCode(), response.body());
                assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
                assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
                assertTrue(response.body().contains("\"code\":\"OVERLOADED\""), response.body());
            }
            assertEquals(20, ok);
            assertEquals(FLOOD - 20, overloaded);
            assertTrue(metric(sample, "\"filter.concurrencyLimit.shed\":{\"count\":" + (FLOOD - 20) + "}"));
        }
    }

    @Test
    void requestsHangingOnOneRouteNeverShedAnotherRoute() throws Exception {
        // the run: a 1s deadline, 40 requests hanging on /demo/slow, 200 requests one by one to /demo/hello
        try (SampleWar sample = SampleWar.deploy(Map.of("breakwater.timeout", "1s"))) {
            List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                hanging.add(sample.client().sendAsync(HttpRequest.newBuilder(sample.uri("/demo/slow?ms=60000"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            // the slow route's share is inside the app once the rest of the 40 was shed, at once
            Await.until("the slow route shed beyond its share", Duration.ofSeconds(30),
                    () -> hanging.stream().filter(CompletableFuture::isDone).count() >= 20);
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> hello = sample.get("/demo/hello");
                assertEquals(200, hello.statusCode(), "request " + i + ": " + hello.body());
            }
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> answer : hanging) {
                HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
                assertEquals(503, response.statusCode(), response.body());
                if (response.body().contains("\"code\":\"OVERLOADED\"")) {
                    overloaded++;
                } else {
                    assertTrue(response.body().contains("\"code\":\"TIMEOUT\""), response.body());
                }
            }
            assertEquals(20, overloaded, "the slow route sheds beyond its own share");
        }
    }

    private static boolean metric(SampleWar sample, String json) {
        try {
            HttpResponse<String> metrics = sample.get("/breakwater/metrics");
            assertEquals(200, metrics.statusCode());
            return metrics.body().contains(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
