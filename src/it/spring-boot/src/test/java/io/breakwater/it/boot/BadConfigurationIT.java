package io.breakwater.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.core.config.ConfigException;
import io.breakwater.it.containers.OnTomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A bad value under {@code breakwater.*} stops the app with the parameter's own one-line message. */
@Timeout(60)
class BadConfigurationIT {

    @Test
    void aBadTimeoutStopsTheAppWithTheParametersMessage() {
        RuntimeException failure = assertThrows(RuntimeException.class,
                () -> new SpringApplicationBuilder(ShopApplication.class, OnTomcat.class)
                        .run("--breakwater.timeout=0s", "--breakwater.proxy.backends=http://127.0.0.1:9"));
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"0s\"", configCause(failure));
    }

    @Test
    void aBadProxyParameterStopsTheAppWithTheParametersMessage() {
        RuntimeException failure = assertThrows(RuntimeException.class,
                () -> new SpringApplicationBuilder(ShopApplication.class, OnTomcat.class)
                        .run("--breakwater.proxy.backends=ftp://127.0.0.1:9"));
        assertEquals("backends must be a comma-separated list of http:// or https:// URLs without path, each"
                + " optionally followed by ;weight=N with N from 1 to 100, but was \"ftp://127.0.0.1:9\"",
                configCause(failure));
    }

    private static String configCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigException) {
                return cause.getMessage();
            }
        }
        throw new AssertionError("no ConfigException in the failure", failure);
    }
}
