package io.breakwater.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.config.internal.PathOverrides;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    private static final Parameter<Duration> TIMEOUT = Parameter.of("timeout", "Test", "5s",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)));
    private static final Parameter<Integer> ATTEMPTS = Parameter.of("maxAttempts", "Test", "3", Parsers.integer(1, 10));

    private static ConfigReader reader(Map<String, String> local, Map<String, String> context,
            Map<String, String> system, Map<String, String> env) {
        return new ConfigReader(local::get, context::get, system::get, env::get);
    }

    @Test
    void sourcesAreReadInOrderInitParamContextParamSystemPropertyEnvironment() {
        Map<String, String> env = Map.of("BREAKWATER_TIMEOUT", "4s", "BREAKWATER_MAX_ATTEMPTS", "7");
        assertEquals(Duration.ofSeconds(4), reader(Map.of(), Map.of(), Map.of(), env).get(TIMEOUT));
        assertEquals(7, reader(Map.of(), Map.of(), Map.of(), env).get(ATTEMPTS));
        assertEquals(Duration.ofSeconds(3),
                reader(Map.of(), Map.of(), Map.of("breakwater.timeout", "3s"), env).get(TIMEOUT));
        assertEquals(Duration.ofSeconds(2), reader(Map.of(), Map.of("breakwater.timeout", "2s"),
                Map.of("breakwater.timeout", "3s"), env).get(TIMEOUT));
        assertEquals(Duration.ofMillis(250), reader(Map.of("timeout", "250ms"), Map.of("breakwater.timeout", "2s"),
                Map.of(), env).get(TIMEOUT));
    }

    @Test
    void missingValueTakesTheDefault() {
        assertEquals(Duration.ofSeconds(5), reader(Map.of(), Map.of(), Map.of(), Map.of()).get(TIMEOUT));
    }

    @Test
    void offAndZeroMeanNoDeadline() {
        assertEquals(Duration.ZERO, TIMEOUT.parse("off"));
        assertEquals(Duration.ZERO, TIMEOUT.parse("0"));
        assertEquals(Duration.ofMinutes(1), TIMEOUT.parse("1m"));
    }

    @Test
    void invalidValuesNameTheParameterTheValueAndWhatIsAccepted() {
        ConfigReader negative = reader(Map.of("timeout", "-5s"), Map.of(), Map.of(), Map.of());
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"-5s\"",
                assertThrows(ConfigException.class, () -> negative.get(TIMEOUT)).getMessage());
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"5 parsecs\"",
                assertThrows(ConfigException.class, () -> TIMEOUT.parse("5 parsecs")).getMessage());
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"2h\"",
                assertThrows(ConfigException.class, () -> TIMEOUT.parse("2h")).getMessage());
        assertEquals("maxAttempts must be an integer between 1 and 10, but was \"11\"",
                assertThrows(ConfigException.class, () -> ATTEMPTS.parse("11")).getMessage());
    }

    @Test
    void statusesPercentagesAndPathOverridesParse() {
        assertEquals(Set.of(500, 503), Parsers.statuses().parse("500, 503"));
        assertEquals(12.5f, Parsers.percentage().parse("12.5"));
        assertThrows(IllegalArgumentException.class, () -> Parsers.percentage().parse("0"));
        PathOverrides<Duration> paths = Parsers.pathOverrides(
                Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)))
                .parse("/reports/*=30s,/export/*=off,/reports/big/*=1m,*.csv=2s,/exact=1s");
        assertEquals(Duration.ofSeconds(30), paths.match("/reports/daily").orElseThrow());
        assertEquals(Duration.ofMinutes(1), paths.match("/reports/big/x").orElseThrow());
        assertEquals(Duration.ZERO, paths.match("/export").orElseThrow());
        assertEquals(Duration.ofSeconds(2), paths.match("/data/file.csv").orElseThrow());
        assertEquals(Duration.ofSeconds(1), paths.match("/exact").orElseThrow());
        assertEquals(false, paths.match("/exact/more").isPresent());
        assertEquals(false, paths.match("/reportsX").isPresent());
    }

    @Test
    void environmentNamesAreUpperSnakeCase() {
        assertEquals("BREAKWATER_TIMEOUT_STATUS", ConfigReader.environmentName("timeoutStatus"));
        assertEquals("BREAKWATER_TIMEOUT", ConfigReader.environmentName("timeout"));
    }

    @Test
    void theSummaryNamesTheValuesThatDifferFromTheirDefaultsAndWhereEachCameFrom() {
        ConfigReader reader = new ConfigReader("filter TimeoutFilter", Map.of("timeout", "2s")::get,
                Map.of("breakwater.maxAttempts", "5")::get,
                Map.of("breakwater.maxAttempts", "Spring property breakwater.max-attempts")::get, name -> null,
                name -> null);
        reader.get(TIMEOUT);
        reader.get(ATTEMPTS);
        assertEquals("filter TimeoutFilter: timeout=2s (init-param timeout), maxAttempts=5 (Spring property"
                + " breakwater.max-attempts)", reader.summary());
        assertEquals(List.of(), reader.overridden());
    }

    @Test
    void valuesAtTheirDefaultsAreNotListed() {
        ConfigReader reader = new ConfigReader("filter TimeoutFilter", Map.of("timeout", "5s")::get, name -> null,
                name -> null, name -> null, name -> null);
        reader.get(TIMEOUT);
        reader.get(ATTEMPTS);
        assertEquals("filter TimeoutFilter: every parameter at its default", reader.summary());
    }

    @Test
    void anEnvironmentValueOverriddenByWebXmlIsOneWarningNamingBoth() {
        Map<String, String> env = Map.of("BREAKWATER_TIMEOUT", "10s", "BREAKWATER_MAX_ATTEMPTS", "4");
        ConfigReader reader = new ConfigReader("filter TimeoutFilter", name -> null,
                Map.of("breakwater.timeout", "2s", "breakwater.maxAttempts", "4")::get, name -> null,
                Map.of("breakwater.timeout", "3s")::get, env::get);
        reader.get(TIMEOUT);
        reader.get(TIMEOUT);
        reader.get(ATTEMPTS);
        assertEquals("filter TimeoutFilter: timeout=2s (context-param breakwater.timeout), maxAttempts=4"
                + " (context-param breakwater.maxAttempts)", reader.summary());
        // the same value in the environment overrides nothing
        assertEquals(List.of("filter TimeoutFilter: timeout=2s from context-param breakwater.timeout overrides"
                + " system property breakwater.timeout=3s and environment BREAKWATER_TIMEOUT=10s"),
                reader.overridden());
    }
}
