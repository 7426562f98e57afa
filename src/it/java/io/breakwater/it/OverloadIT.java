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
