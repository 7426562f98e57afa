package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The sample's breaker, in each container: hammering a failing route opens it, and it closes once it recovers. */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class CircuitBreakerIT {
    @Parameter
    ServletContainer container;


    @Test
    void hammeringAFailingRouteOpensItsBreakerThenItRecovers() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            HttpResponse<String> response = null;
            int calls = 0;
            while (calls < 50) {
                response = sample.get("/demo/flaky?failRate=1");
                calls++;
                if (response.statusCode() == 503) {
                    break;
                }
                assertEquals(500, response.statusCode());
                assertEquals("{\"flaky\":\"failed\"}", response.body());
            }
            assertEquals(503, response.statusCode());
            assertEquals(11, calls, "opens after minimumCalls=10 failures");
            assertTrue(response.body().contains("\"code\":\"CIRCUIT_OPEN\""), response.body());
            int retryAfter = Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
            assertEquals(200, sample.get("/demo/hello").statusCode(), "another route is unaffected");

            // the route recovers: after the wait, probes succeed and the breaker closes
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            int ok = 0;
            while (ok < 5 && Instant.now().isBefore(deadline)) {
                HttpResponse<String> probe = sample.get("/demo/flaky?failRate=0");
                if (probe.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(503, probe.statusCode(), probe.body());
                    assertTrue(probe.body().contains("\"code\":\"CIRCUIT_OPEN\""), probe.body());
                    Thread.onSpinWait();
                }
            }
            assertEquals(5, ok, "the breaker closed again");
        }
    }
}
