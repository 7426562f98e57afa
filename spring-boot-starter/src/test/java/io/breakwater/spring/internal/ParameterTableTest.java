package io.breakwater.spring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.config.internal.Parameter;
import io.breakwater.timeout.internal.TimeoutConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Spring keys come from the parameter table, and Spring MVC's patterns turn into route templates. */
class ParameterTableTest {

    @Test
    void everyParameterHasItsKeyAndAMetadataEntry() throws Exception {
        List<Parameter<?>> parameters = ParameterTable.load().parameters();
        assertTrue(parameters.contains(TimeoutConfig.TIMEOUT_STATUS), parameters.toString());
        assertEquals("breakwater.timeout-status", ParameterTable.key(TimeoutConfig.TIMEOUT_STATUS));
        String metadata;
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Parameter<?> parameter : parameters) {
            assertTrue(metadata.contains("{\"name\": \"" + ParameterTable.key(parameter) + "\""), parameter.name());
        }
        assertTrue(metadata.contains("{\"name\": \"breakwater.proxy.backends\""), metadata);
        assertTrue(metadata.contains("{\"name\": \"breakwater.filters.timeout.enabled\", \"type\": "
                + "\"java.lang.Boolean\", \"description\": \"Whether TimeoutFilter is registered.\", "
                + "\"defaultValue\": true}"), metadata);
        assertTrue(!metadata.contains("auto-register"), "the initializer's parameter means nothing in Spring Boot");
    }

    @Test
    void springPatternsBecomeTemplates() {
        assertEquals("/orders/{id}", MvcRoutes.template("/orders/{id}"));
        assertEquals("/orders/{id}", MvcRoutes.template("/orders/{id:\\d+}"));
        assertEquals("/files/*", MvcRoutes.template("/files/**"));
        assertEquals("/files/*", MvcRoutes.template("/files/{*path}"));
    }
}
