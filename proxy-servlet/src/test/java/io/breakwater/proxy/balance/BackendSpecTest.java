package io.breakwater.proxy.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSpecTest {
    private static final Parameter<List<BackendSpec>> BACKENDS =
            Parameter.required("backends", "BalancingProxyServlet", BackendSpec.listParser());

    @Test
    void readsUrlsWithOptionalWeights() {
        assertEquals(List.of(new BackendSpec(URI.create("http://127.0.0.1:8081"), 3),
                new BackendSpec(URI.create("https://api.example:443"), 1)),
                BACKENDS.parse("http://127.0.0.1:8081;weight=3, https://api.example"));
    }

    @Test
    void rejectsAPathWithTheOneMessageGrammar() {
        ConfigException e = assertThrows(ConfigException.class, () -> BACKENDS.parse("http://a:1/x"));
        assertEquals("backends must be " + BackendSpec.ACCEPTED + ", but was \"http://a:1/x\"", e.getMessage());
    }

    @Test
    void rejectsAWeightOutOfRangeOrAnEmptyList() {
        assertThrows(ConfigException.class, () -> BACKENDS.parse("http://a:1;weight=0"));
        assertThrows(ConfigException.class, () -> BACKENDS.parse("ftp://a:1"));
        assertThrows(ConfigException.class, () -> BACKENDS.parse(""));
    }

    @Test
    void namesADuplicateAsADuplicateWhateverHowItIsWritten() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> BACKENDS.parse("http://a, http://b:8080, http://A:80;weight=2"));
        assertEquals("backends must be " + BackendSpec.ACCEPTED + ", but listed \"http://a:80\" twice",
                e.getMessage());
    }

    @Test
    void rejectsAPortOutsideOneTo65535() {
        for (String port : List.of("0", "65536", "99999")) {
            ConfigException e = assertThrows(ConfigException.class, () -> BACKENDS.parse("http://a:" + port));
            assertEquals("backends must be " + BackendSpec.ACCEPTED + ", but was \"http://a:" + port + "\"",
                    e.getMessage());
        }
        assertEquals(List.of(new BackendSpec(URI.create("http://a:1"), 1), new BackendSpec(URI.create("http://a:65535"),
                1)), BACKENDS.parse("http://a:1,http://a:65535"));
    }

    @Test
    void rejectsQueryUserinfoFragmentAndAnEmptyList() {
        for (String bad : List.of("http://a:1?x=1", "http://u:p@a:1", "http://a:1#f", ",", " , ", "http://a:1,,")) {
            ConfigException e = assertThrows(ConfigException.class, () -> BACKENDS.parse(bad));
            assertEquals("backends must be " + BackendSpec.ACCEPTED + ", but was \"" + bad + "\"", e.getMessage());
        }
    }

    @Test
    void aMissingBackendsParameterIsAnError() {
        ConfigReader reader = new ConfigReader(n -> null, n -> null, n -> null, n -> null);
        ConfigException e = assertThrows(ConfigException.class, () -> reader.get(BACKENDS));
        assertEquals("backends must be set to " + BackendSpec.ACCEPTED + ", but was not set", e.getMessage());
    }
}
