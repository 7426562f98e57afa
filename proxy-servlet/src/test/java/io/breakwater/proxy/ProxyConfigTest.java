package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.proxy.internal.FailoverPolicy;
import io.breakwater.proxy.internal.ProxyConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {

    private static ProxyConfig read(Map<String, String> initParams, Map<String, String> contextParams) {
        return new ProxyConfig(new ConfigReader(initParams::get, contextParams::get, n -> null, n -> null));
    }

    @Test
    void readsTheDocumentedDefaults() {
        ProxyConfig config = read(Map.of("backends", "http://127.0.0.1:8081"), Map.of());
        assertEquals("round-robin", config.strategy);
        assertEquals(FailoverPolicy.DEFAULT_MAX_ATTEMPTS, config.maxAttempts);
        assertEquals(Duration.ofSeconds(5), config.tryTimeout);
        assertEquals(Duration.ofSeconds(5), config.backendIdleTimeout);
        assertEquals(Duration.ofSeconds(30), config.clientIdleTimeout);
        assertEquals(Duration.ofSeconds(30), config.bodyReadTimeout);
        assertEquals(Set.of(502, 503, 504), config.failoverStatuses);
        assertEquals(64 * 1024, config.replayBufferSize);
        assertEquals(10 * 1024 * 1024, config.maxBodySize);
        assertEquals(3, config.ejectAfterFailures);
        assertEquals(300, config.healthCheckStatuses.size());
        assertEquals(true, config.healthCheckStatuses.contains(200) && config.healthCheckStatuses.contains(499)
                && !config.healthCheckStatuses.contains(500));
    }

    @Test
    void takesBackendsFromTheContextParameterTheLauncherSets() {
        ProxyConfig config = read(Map.of(), Map.of("breakwater.backends", "http://10.0.0.1:80,http://10.0.0.2:80"));
        assertEquals(2, config.backends.size());
    }

    @Test
    void rejectsBadValuesWithTheOneMessageGrammar() {
        Map<String, String> backends = Map.of("backends", "http://a:1");
        assertEquals("replayBufferSize must be a size between 0 and 16MB, in bytes or with KB, MB or GB,"
                + " but was \"1TB\"", assertThrows(ConfigException.class, () -> read(
                        merge(backends, "replayBufferSize", "1TB"), Map.of())).getMessage());
        // 2^34 GB is 2^64 bytes: past a long, it must not wrap round to 0 and pass
        assertEquals("maxBodySize must be a size between 0 and 1GB, in bytes or with KB, MB or GB,"
                + " but was \"17179869184GB\"", assertThrows(ConfigException.class, () -> read(
                        merge(backends, "maxBodySize", "17179869184GB"), Map.of())).getMessage());
        assertEquals("replayBufferSize must be a size between 0 and 16MB, in bytes or with KB, MB or GB,"
                + " but was \"9007199254740992KB\"", assertThrows(ConfigException.class, () -> read(
                        merge(backends, "replayBufferSize", "9007199254740992KB"), Map.of())).getMessage());
        assertEquals("trustedProxies must be a comma-separated list of IP addresses or CIDR ranges like 10.0.0.0/8,"
                + " but was \"proxy.local\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "trustedProxies", "proxy.local"), Map.of())).getMessage());
        assertEquals("hedgeAfter must be a duration between 1ms and 1m, or off, but was \"-5ms\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "hedgeAfter", "-5ms"), Map.of())).getMessage());
        assertEquals("hedgeBudget must be a percentage greater than 0 and at most 100, but was \"0\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "hedgeBudget", "0"), Map.of())).getMessage());
        assertEquals("retryBudget must be a percentage greater than 0 and at most 100, but was \"120\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "retryBudget", "120"), Map.of())).getMessage());
        assertEquals("hashKey must be ip, header:NAME or cookie:NAME, but was \"header:\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "hashKey", "header:"), Map.of())).getMessage());
        assertEquals("requestHeaders must be a comma-separated list of Name=value, with ${clientAddress} and"
                + " ${requestId} allowed in values, but was \"X-A=${secret}\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "requestHeaders", "X-A=${secret}"), Map.of())).getMessage());
    }

    @Test
    void readsSlowStartAndTheStrategyNamesOfTheRegistry() {
        Map<String, String> backends = Map.of("backends", "http://a:1");
        assertEquals(Duration.ZERO, read(backends, Map.of()).slowStart);
        assertEquals(Duration.ofSeconds(10), read(merge(backends, "slowStart", "10s"), Map.of()).slowStart);
        assertEquals("slowStart must be a duration between 1ms and 1h, or off, but was \"soon\"",
                assertThrows(ConfigException.class, () -> read(
                        merge(backends, "slowStart", "soon"), Map.of())).getMessage());
        assertEquals("strategy must be one of round-robin, weighted, least-connections, least-response-time, random,"
                + " hash, but was \"fastest\"", assertThrows(ConfigException.class, () -> read(
                        merge(backends, "strategy", "fastest"), Map.of())).getMessage());
    }

    @Test
    void everyParameterIsListed() {
        assertEquals(35, ProxyConfig.PARAMETERS.size());
        assertEquals(List.of("backends"), ProxyConfig.PARAMETERS.stream().filter(p -> p.defaultText() == null)
                .map(p -> p.name()).toList());
    }

    private static Map<String, String> merge(Map<String, String> base, String name, String value) {
        Map<String, String> map = new java.util.HashMap<>(base);
        map.put(name, value);
        return map;
    }
}
