package io.breakwater.limit;

import static io.breakwater.testing.ConfigFailures.configException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.limit.ConcurrencyLimitConfig.CriticalHeader;
import io.breakwater.limit.ConcurrencyLimitConfig.PathMode;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitConfigTest {

    private static ConcurrencyLimitConfig read(Map<String, String> params) {
        return ConcurrencyLimitConfig.read(new ConfigReader(params::get, name -> null, name -> null, name -> null));
    }

    private static String rejection(Map<String, String> params) {
        return assertThrows(ConfigException.class, () -> read(params)).getMessage();
    }

    @Test
    void defaultsToVegasFrom20WithinFourAndAThousand() {
        ConcurrencyLimitConfig config = read(Map.of());

        assertEquals("vegas", config.algorithm());
        assertEquals(20, config.initialLimit());
        assertEquals(4, config.minLimit());
        assertEquals(1000, config.maxLimit());
        assertEquals(Optional.empty(), config.criticalHeader());
        assertEquals(Optional.empty(), config.modeOf("/anything"));
    }

    @Test
    void readsPathModesAndTheCriticalHeader() {
        ConcurrencyLimitConfig config = read(Map.of("concurrencyLimitPaths", "/reports/*=off, /checkout/*=critical",
                "criticalHeader", "X-Priority = critical"));

        assertEquals(Optional.of(PathMode.OFF), config.modeOf("/reports/2025"));
        assertEquals(Optional.of(PathMode.CRITICAL), config.modeOf("/checkout/pay"));
        assertEquals(Optional.empty(), config.modeOf("/orders"));
        assertEquals(Optional.of(new CriticalHeader("X-Priority", "critical")), config.criticalHeader());
    }

    @Test
    void badValuesAreRejectedWithOneMessage() {
        assertEquals("concurrencyLimitAlgorithm must be one of vegas, gradient2, aimd, but was \"bbr\"",
                rejection(Map.of("concurrencyLimitAlgorithm", "bbr")));
        assertEquals("minConcurrencyLimit must be an integer between 1 and 100000, but was \"0\"",
                rejection(Map.of("minConcurrencyLimit", "0")));
        assertEquals("maxConcurrencyLimit must be an integer between 1 and 100000, but was \"lots\"",
                rejection(Map.of("maxConcurrencyLimit", "lots")));
        assertEquals("maxConcurrencyLimit must be at least minConcurrencyLimit (50), but was \"10\"",
                rejection(Map.of("minConcurrencyLimit", "50", "maxConcurrencyLimit", "10")));
        assertEquals("initialConcurrencyLimit must be between minConcurrencyLimit (30) and maxConcurrencyLimit"
                + " (1000), but was \"20\"", rejection(Map.of("minConcurrencyLimit", "30")));
        assertEquals("concurrencyLimitPaths must be a comma-separated list of path=value, with paths like /exact,"
                + " /prefix/* or *.ext and values off or critical, but was \"/x=sometimes\"",
                rejection(Map.of("concurrencyLimitPaths", "/x=sometimes")));
        assertEquals("criticalHeader must be empty, or a header Name=value, but was \"X-Priority\"",
                rejection(Map.of("criticalHeader", "X-Priority")));
        assertEquals("criticalHeader must be empty, or a header Name=value, but was \"Bad Name=1\"",
                rejection(Map.of("criticalHeader", "Bad Name=1")));
    }

    @Test
    void badParameterStopsTheDeploymentWithItsMessage() {
        Exception e = assertThrows(Exception.class, () -> ConcurrencyLimitFilterTest.server(
                new ConcurrencyLimitFilter(), Map.of("concurrencyLimitAlgorithm", "bbr"), context -> {
                }).close());

        assertEquals("concurrencyLimitAlgorithm must be one of vegas, gradient2, aimd, but was \"bbr\"",
                configException(e).getMessage());
    }
}
