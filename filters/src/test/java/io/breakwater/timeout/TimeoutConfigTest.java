package io.breakwater.timeout;

import static io.breakwater.testing.ConfigFailures.configException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.ConfigReader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimeoutConfigTest {

    private static ConfigReader initParams(Map<String, String> params) {
        return new ConfigReader(params::get, name -> null, name -> null, name -> null);
    }

    @Test
    void defaultsToFiveSecondsAnd503() {
        TimeoutConfig config = TimeoutConfig.read(initParams(Map.of()));

        assertEquals(Duration.ofSeconds(5), config.timeoutFor("/anything"));
        assertEquals(503, config.errorCode().status());
        assertEquals("TIMEOUT", config.errorCode().code());
    }

    @Test
    void readsSuiteWideDefaultFromEnvironmentVariable() {
        Map<String, String> env = Map.of("BREAKWATER_TIMEOUT", "750ms", "BREAKWATER_TIMEOUT_STATUS", "504");
        TimeoutConfig config = TimeoutConfig.read(new ConfigReader(name -> null, name -> null, name -> null, env::get));

        assertEquals(Duration.ofMillis(750), config.timeoutFor("/orders"));
        assertEquals(504, config.errorCode().status());
    }

    @Test
    void initParamWinsOverEnvironment() {
        TimeoutConfig config = TimeoutConfig.read(new ConfigReader(Map.of("timeout", "2s")::get, name -> null,
                name -> null, Map.of("BREAKWATER_TIMEOUT", "750ms")::get));

        assertEquals(Duration.ofSeconds(2), config.timeoutFor("/orders"));
    }

    @Test
    void pathOverridesReplaceTheDefaultAndOffMeansNoDeadline() {
        TimeoutConfig config = TimeoutConfig.read(initParams(Map.of("timeout", "200ms",
                "timeoutPaths", "/reports/*=30s,/export/*=off,*.csv=0")));

        assertEquals(Duration.ofSeconds(30), config.timeoutFor("/reports/monthly"));
        assertEquals(Duration.ZERO, config.timeoutFor("/export/all"));
        assertEquals(Duration.ZERO, config.timeoutFor("/data/x.csv"));
        assertEquals(Duration.ofMillis(200), config.timeoutFor("/orders"));
    }

    @Test
    void anOverrideWrittenAsARouteTemplateAppliesToThatRouteBeforeAnyPathPattern() {
        TimeoutConfig config = TimeoutConfig.read(initParams(Map.of("timeout", "200ms",
                "timeoutPaths", "/orders/{id}/export=off,/orders/*=30s")));

        assertEquals(Duration.ZERO, config.timeoutFor("/orders/{id}/export", "/orders/7/export"));
        assertEquals(Duration.ofSeconds(30), config.timeoutFor("/orders/{id}", "/orders/7"));
        assertEquals(Duration.ofMillis(200), config.timeoutFor("/other/{id}", "/other/7"));
    }

    @Test
    void offSwitchesTheDefaultDeadlineOff() {
        assertEquals(Duration.ZERO, TimeoutConfig.read(initParams(Map.of("timeout", "off"))).timeoutFor("/a"));
    }

    @Test
    void rejectsNegativeDuration() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimeoutConfig.read(initParams(Map.of("timeout", "-5s"))));

        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"-5s\"", e.getMessage());
    }

    @Test
    void rejectsUnknownUnit() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimeoutConfig.read(initParams(Map.of("timeout", "5 parsecs"))));

        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"5 parsecs\"", e.getMessage());
    }

    @Test
    void rejectsDurationAboveOneHour() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimeoutConfig.read(initParams(Map.of("timeout", "2h"))));

        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"2h\"", e.getMessage());
    }

    @Test
    void rejectsStatusOtherThan503Or504() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimeoutConfig.read(initParams(Map.of("timeoutStatus", "408"))));

        assertEquals("timeoutStatus must be 503 or 504, but was \"408\"", e.getMessage());
    }

    @Test
    void rejectsInvalidPathOverride() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimeoutConfig.read(initParams(Map.of("timeoutPaths", "/reports/*=5 parsecs"))));

        assertEquals("timeoutPaths must be a comma-separated list of path=value, with paths like /exact, /prefix/*"
                + " or *.ext and values a duration between 1ms and 1h, or off, but was \"/reports/*=5 parsecs\"",
                e.getMessage());
    }

    @Test
    void invalidDurationStopsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> TimeoutFilterTest.server(Map.of("timeout", "5 parsecs"),
                TimeoutFilterTest::hello).close());

        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"5 parsecs\"",
                configException(e).getMessage());
    }
}
