package io.breakwater.core.config;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Reads Breakwater's parameters from, in order: the component's own init-params, the context-params
 * {@code breakwater.<name>}, the system properties {@code breakwater.<name>}, and the environment variables
 * {@code BREAKWATER_<NAME>} (camelCase turned to upper snake case). A missing value takes the parameter's
 * default; an invalid one throws {@link ConfigException}. Thread-safe; sources are read on each call, so
 * components read once, at init, into an immutable config.
 */
public final class ConfigReader {
    public static final String PREFIX = "breakwater.";

    private final UnaryOperator<String> local;
    private final UnaryOperator<String> context;
    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;

    public ConfigReader(UnaryOperator<String> local, UnaryOperator<String> context,
            UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        this.local = local;
        this.context = context;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** A filter's init-params first, then the suite-wide sources. */
    public static ConfigReader of(FilterConfig config) {
        ServletContext ctx = config.getServletContext();
        return new ConfigReader(config::getInitParameter, ctx::getInitParameter, System::getProperty, System::getenv);
    }

    /** A servlet's init-params first, then the suite-wide sources. */
    public static ConfigReader of(ServletConfig config) {
        ServletContext ctx = config.getServletContext();
        return new ConfigReader(config::getInitParameter, ctx::getInitParameter, System::getProperty, System::getenv);
    }

    /** The suite-wide sources only. */
    public static ConfigReader of(ServletContext ctx) {
        return new ConfigReader(name -> null, ctx::getInitParameter, System::getProperty, System::getenv);
    }

    /** The value of a parameter: the first source that sets it, else its default. */
    public <T> T get(Parameter<T> parameter) {
        String raw = raw(parameter.name());
        if (raw == null) {
            if (parameter.defaultText() == null) {
                throw new ConfigException(parameter.name() + " must be set to " + parameter.accepted()
                        + ", but was not set");
            }
            raw = parameter.defaultText();
        }
        return parameter.parse(raw);
    }

    /** Whether any source sets the parameter. */
    public boolean isSet(Parameter<?> parameter) {
        return raw(parameter.name()) != null;
    }

    private String raw(String name) {
        String value = local.apply(name);
        if (value == null) {
            value = context.apply(PREFIX + name);
        }
        if (value == null) {
            value = systemProperties.apply(PREFIX + name);
        }
        if (value == null) {
            value = environment.apply(environmentName(name));
        }
        return value;
    }

    /** {@code timeoutStatus} becomes {@code BREAKWATER_TIMEOUT_STATUS}. */
    public static String environmentName(String name) {
        return "BREAKWATER_" + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
