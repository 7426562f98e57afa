package io.breakwater.spring.internal;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The parameters the app's Spring configuration sets ({@code application.yml}, command-line arguments, profiles),
 * each checked by its own parser when read, so that a bad value stops the app with the message a bad
 * {@code web.xml} value gives. The proxy's go to its servlet's init-params, the rest to the context-params
 * {@code breakwater.<name>}, where the filters' {@link ConfigReader} finds them after their init-params. System
 * properties and environment variables are left to that reader, which has its own names and order for them. Spring's
 * relaxed binding applies: {@code timeoutStatus}, {@code timeout-status}; a YAML list is a comma-separated value.
 * Immutable and thread-safe.
 */
public final class SpringSettings {
    private final Map<String, String> contextParameters;
    private final Map<String, String> origins;
    private final Map<String, String> proxyParameters;

    private SpringSettings(Map<String, String> contextParameters, Map<String, String> origins,
            Map<String, String> proxyParameters) {
        this.contextParameters = Map.copyOf(contextParameters);
        this.origins = Map.copyOf(origins);
        this.proxyParameters = Map.copyOf(proxyParameters);
    }

    /** Reads and checks every parameter of the table; throws the parameter's ConfigException on a bad value. */
    public static SpringSettings read(ConfigurableEnvironment environment, ParameterTable table) {
        Binder binder = new Binder(ConfigurationPropertySources.from(applicationSources(environment)));
        Map<String, String> context = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        Map<String, String> proxy = new LinkedHashMap<>();
        for (Parameter<?> parameter : table.parameters()) {
            List<String> values = binder.bind(ParameterTable.key(parameter), Bindable.listOf(String.class))
                    .orElse(null);
            if (values == null) {
                continue;
            }
            String value = String.join(",", values);
            parameter.parse(value);
            if (ParameterTable.isProxys(parameter)) {
                proxy.put(parameter.name(), value);
            } else {
                context.put(ConfigReader.PREFIX + parameter.name(), value);
                origins.put(ConfigReader.PREFIX + parameter.name(), "Spring property " + ParameterTable.key(parameter));
            }
        }
        return new SpringSettings(context, origins, proxy);
    }

    /** The context-params to set, {@code breakwater.<name>} to its value. */
    public Map<String, String> contextParameters() {
        return contextParameters;
    }

    /**
     * Where each context-param came from, {@code Spring property breakwater.timeout}, for the context attribute
     * {@link ConfigReader#ORIGINS_ATTRIBUTE}: the filters' start-up lines name the Spring key.
     */
    public Map<String, String> origins() {
        return origins;
    }

    /** The proxy servlet's init-params. */
    public Map<String, String> proxyParameters() {
        return proxyParameters;
    }

    private static List<PropertySource<?>> applicationSources(ConfigurableEnvironment environment) {
        List<PropertySource<?>> sources = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            String name = source.getName();
            if (!name.equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
                    && !name.equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                    && !name.equals("configurationProperties")) {
                sources.add(source);
            }
        }
        return sources;
    }
}
