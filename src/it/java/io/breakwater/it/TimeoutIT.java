package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample's deadline: a handler that would take a minute is answered 503 TIMEOUT on time. */
class TimeoutIT {

    @Test
    void slowDemoRouteIsAnsweredTimeoutAfterTheConfiguredDeadline() throws Exception {
        try (SampleWar sample = SampleWar.deploy(Map.of("breakwater.timeout", "300ms"))) {
            long start = System.nanoTime();
            HttpResponse<String> response = sample.get("/demo/slow?ms=60000");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(503, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(response.body().contains("\"code\":\"TIMEOUT\""), response.body());
            assertTrue(elapsedMs >= 300 && elapsedMs < 1300, "answered after " + elapsedMs + " ms");
            assertEquals(200, sample.get("/demo/slow?ms=10").statusCode());
        }
    }

    @Test
    void invalidDeadlineStopsTheDeploymentWithTheReadersMessage() {
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> SampleWar.deploy(Map.of("breakwater.timeout", "5 parsecs")).close());
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"5 parsecs\"",
                ExceptionHandlingIT.rootMessage(failure));
    }
}
