package io.breakwater.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

class CircuitBreakerSettingsTest {

    @Test
    void defaultsSuitWebTraffic() {
        CircuitBreakerSettings settings = read(Map.of());
        var config = settings.forRoute("/orders/*", Clock.systemUTC()).orElseThrow();

        assertEquals(50.0f, config.getFailureRateThreshold());
        assertEquals(20, config.getMinimumNumberOfCalls());
        assertEquals(10, config.getSlidingWindowSize());
        assertEquals(3, config.getPermittedNumberOfCallsInHalfOpenState());
        assertEquals(Duration.ofSeconds(10), settings.waitInOpen(1));
        assertEquals(Duration.ofSeconds(10), settings.waitInOpen(5));
    }

    @Test
    void waitGrowsByTheMultiplierUpToTheMaximum() {
        CircuitBreakerSettings settings =
                read(Map.of("waitInOpenMultiplier", "3", "maxWaitInOpen", "1m"));

        assertEquals(Duration.ofSeconds(10), settings.waitInOpen(1));
        assertEquals(Duration.ofSeconds(30), settings.waitInOpen(2));
        assertEquals(Duration.ofMinutes(1), settings.waitInOpen(3));
    }

    @Test
    void invalidValuesAreRejectedWithExactMessages() {
        assertRejected(Map.of("failureRateThreshold", "0"),
                "failureRateThreshold must be a percentage greater than 0 and at most 100, but was \"0\"");
        assertRejected(Map.of("failureStatuses", "500,404"),
                "failureStatuses must be a comma-separated list of HTTP status codes from 500 to 599,"
                        + " but was \"500,404\"");
        assertRejected(Map.of("windowType", "sliding"), "windowType must be one of time, count, but was \"sliding\"");
        assertRejected(Map.of("waitInOpenMultiplier", "0.5"),
                "waitInOpenMultiplier must be a number between 1 and 10, but was \"0.5\"");
        assertRejected(Map.of("waitInOpenMultiplier", "2", "maxWaitInOpen", "5s"),
                "maxWaitInOpen must be at least waitInOpen (10s), but was \"5s\"");
        assertRejected(Map.of("breakerName", "orders api"),
                "breakerName must be route, servlet, or a fixed name of 1 to 64 letters, digits, '.', '_' or '-',"
                        + " but was \"orders api\"");
        assertRejected(Map.of("halfOpenCalls", "0"),
                "halfOpenCalls must be an integer between 1 and 1000, but was \"0\"");
    }

    @Test
    void anInvalidInitParamStopsTheAppFromStarting() {
        Exception failure = assertThrows(Exception.class, () -> TestServer.start(context -> {
            FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter());
            breaker.setInitParameter("waitInOpen", "50ms");
            context.addFilter(breaker, "/*", EnumSet.of(DispatcherType.REQUEST));
        }).close());

        assertEquals("waitInOpen must be a duration between 100ms and 1h, but was \"50ms\"", rootCause(failure));
    }

    private static String rootCause(Throwable thrown) {
        Throwable t = thrown;
        while (!(t instanceof ConfigException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static void assertRejected(Map<String, String> params, String message) {
        ConfigException rejected = assertThrows(ConfigException.class, () -> read(params));
        assertEquals(message, rejected.getMessage());
    }

    private static CircuitBreakerSettings read(Map<String, String> params) {
        return CircuitBreakerSettings.read(new ConfigReader(params::get, name -> null, name -> null, name -> null));
    }
}
