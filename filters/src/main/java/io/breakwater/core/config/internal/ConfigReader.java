package io.breakwater.core.config.internal;

import io.breakwater.core.config.ConfigException;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Breakwater's parameters from, in order: the component's own init-params, the context-params
 * {@code breakwater.<name>}, the system properties {@code breakwater.<name>}, and the environment variables
 * {@code BREAKWATER_<NAME>} (camelCase turned to upper snake case). A missing value takes the parameter's
 * default; an invalid one throws {@link ConfigException}. Sources are read on each call, so components read once,
 * at init, into an immutable config, through {@link #read}: it then logs one INFO line naming the values that differ
 * from their defaults and where each came from, and a WARN for each value of the environment or a system property
 * that a higher source overrode, so that an operator's {@code BREAKWATER_TIMEOUT=10s} is never silently ignored.
 * Thread-safe.
 */
public final class ConfigReader {
    public static final String PREFIX = "breakwater.";
    /**
     * Context attribute: a {@code Map<String, String>} from a context-param's name to where it came from, for
     * context-params that an embedding framework set from its own configuration ({@code Spring property
     * breakwater.timeout}).
     */
    public static final String ORIGINS_ATTRIBUTE = "io.breakwater.config.origins";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReader.class);

    private final String component;
    private final UnaryOperator<String> local;
    private final UnaryOperator<String> context;
    private final UnaryOperator<String> origins;
    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;
    private final List<String> changed = new ArrayList<>();
    private final List<String> overridden = new ArrayList<>();

    public ConfigReader(UnaryOperator<String> local, UnaryOperator<String> context,
            UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        this(null, local, context, name -> null, systemProperties, environment);
    }

    /**
     * A reader for a named component ({@code filter TimeoutFilter}), with {@code origins} telling where a
     * context-param came from when an embedding framework set it ({@code null} for {@code web.xml}).
     */
    public ConfigReader(String component, UnaryOperator<String> local, UnaryOperator<String> context,
            UnaryOperator<String> origins, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        this.component = component;
        this.local = local;
        this.context = context;
        this.origins = origins;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** A filter's init-params first, then the suite-wide sources. */
    public static ConfigReader of(FilterConfig config) {
        ServletContext ctx = config.getServletContext();
        return new ConfigReader("filter " + config.getFilterName(), config::getInitParameter, ctx::getInitParameter,
                origins(ctx), System::getProperty, System::getenv);
    }

    /** A servlet's init-params first, then the suite-wide sources. */
    public static ConfigReader of(ServletConfig config) {
        ServletContext ctx = config.getServletContext();
        return new ConfigReader("servlet " + config.getServletName(), config::getInitParameter,
                ctx::getInitParameter, origins(ctx), System::getProperty, System::getenv);
    }

    /** The suite-wide sources only. */
    public static ConfigReader of(ServletContext ctx) {
        return new ConfigReader(null, name -> null, ctx::getInitParameter, origins(ctx), System::getProperty,
                System::getenv);
    }

    /** A filter's config, read by {@code reading} from its parameters, then {@link #report reported}. */
    public static <T> T read(FilterConfig config, Function<ConfigReader, T> reading) {
        ConfigReader reader = of(config);
        T read = reading.apply(reader);
        reader.report();
        return read;
    }

    /** A servlet's config, read by {@code reading} from its parameters, then {@link #report reported}. */
    public static <T> T read(ServletConfig config, Function<ConfigReader, T> reading) {
        ConfigReader reader = of(config);
        T read = reading.apply(reader);
        reader.report();
        return read;
    }

    /** The value of a parameter: the first source that sets it, else its default. */
    public <T> T get(Parameter<T> parameter) {
        String name = parameter.name();
        String raw = null;
        String from = null;
        List<String> below = new ArrayList<>(2);
        for (Source source : Source.values()) {
            String value = source.read(this, name);
            if (value == null) {
                continue;
            }
            if (raw == null) {
                raw = value;
                from = source.describe(this, name);
            } else if (source.watched && !value.trim().equals(raw.trim())) {
                below.add(source.describe(this, name) + "=" + value);
            }
        }
        if (raw == null) {
            if (parameter.defaultText() == null) {
                throw new ConfigException(parameter.name() + " must be set to " + parameter.accepted()
                        + ", but was not set");
            }
            raw = parameter.defaultText();
        }
        T value = parameter.parse(raw);
        record(parameter, raw, from, below);
        return value;
    }

    /** Whether any source sets the parameter. */
    public boolean isSet(Parameter<?> parameter) {
        for (Source source : Source.values()) {
            if (source.read(this, parameter.name()) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The line this reader logs at INFO: the component, and each value read that differs from its default with
     * where it came from, like {@code filter TimeoutFilter: timeout=2s (context-param breakwater.timeout)}.
     */
    public synchronized String summary() {
        String who = component != null ? component : "Breakwater";
        return changed.isEmpty() ? who + ": every parameter at its default" : who + ": " + String.join(", ", changed);
    }

    /** The lines this reader logs at WARN: each value of the environment or a system property overridden. */
    public synchronized List<String> overridden() {
        return List.copyOf(overridden);
    }

    /** Logs {@link #summary} at INFO and each of {@link #overridden} at WARN. */
    public void report() {
        LOG.info(summary());
        overridden().forEach(LOG::warn);
    }

    private synchronized void record(Parameter<?> parameter, String raw, String from, List<String> below) {
        String line = parameter.name() + "=" + raw.trim() + " (" + from + ")";
        if (from != null && !raw.trim().equals(parameter.defaultText()) && !changed.contains(line)) {
            changed.add(line);
        }
        if (!below.isEmpty()) {
            String warning = (component != null ? component + ": " : "") + parameter.name() + "=" + raw.trim()
                    + " from " + from + " overrides " + String.join(" and ", below);
            if (!overridden.contains(warning)) {
                overridden.add(warning);
            }
        }
    }

    private static UnaryOperator<String> origins(ServletContext ctx) {
        return name -> ctx.getAttribute(ORIGINS_ATTRIBUTE) instanceof Map<?, ?> map
                && map.get(name) instanceof String origin ? origin : null;
    }

    /** The sources, in their order; a value of a watched one that a higher source overrides is a warning. */
    private enum Source {
        INIT_PARAM(false) {
            @Override
            String read(ConfigReader reader, String name) {
                return reader.local.apply(name);
            }

            @Override
            String describe(ConfigReader reader, String name) {
                return "init-param " + name;
            }
        },
        CONTEXT_PARAM(false) {
            @Override
            String read(ConfigReader reader, String name) {
                return reader.context.apply(PREFIX + name);
            }

            @Override
            String describe(ConfigReader reader, String name) {
                String origin = reader.origins.apply(PREFIX + name);
                return origin != null ? origin : "context-param " + PREFIX + name;
            }
        },
        SYSTEM_PROPERTY(true) {
            @Override
            String read(ConfigReader reader, String name) {
                return reader.systemProperties.apply(PREFIX + name);
            }

            @Override
            String describe(ConfigReader reader, String name) {
                return "system property " + PREFIX + name;
            }
        },
        ENVIRONMENT(true) {
            @Override
            String read(ConfigReader reader, String name) {
                return reader.environment.apply(environmentName(name));
            }

            @Override
            String describe(ConfigReader reader, String name) {
                return "environment " + environmentName(name);
            }
        };

        final boolean watched;

        Source(boolean watched) {
            this.watched = watched;
        }

        abstract String read(ConfigReader reader, String name);

        abstract String describe(ConfigReader reader, String name);
    }

    /** {@code timeoutStatus} becomes {@code BREAKWATER_TIMEOUT_STATUS}. */
    public static String environmentName(String name) {
        return "BREAKWATER_" + name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
