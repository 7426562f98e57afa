package io.breakwater.limit.internal;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.config.internal.PathOverrides;
import io.breakwater.core.config.internal.ValueParser;
import java.util.Optional;
import java.util.regex.Pattern;

/** What {@code ConcurrencyLimitFilter} is configured to do, read once at init. Immutable and thread-safe. */
public final class ConcurrencyLimitConfig {
    private static final String COMPONENT = "ConcurrencyLimitFilter";
    private static final ValueParser<Integer> LIMIT = Parsers.integer(1, 100_000);
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /** How a path is treated: {@code off} is never limited nor counted, {@code critical} is shed last. */
    public enum PathMode {
        OFF, CRITICAL
    }

    /** The engine that moves the limit: {@code vegas} (the default), {@code gradient2} or {@code aimd}. */
    public static final Parameter<String> ALGORITHM = Parameter.of("concurrencyLimitAlgorithm", COMPONENT, "vegas",
            Parsers.choice("vegas", "gradient2", "aimd"));

    /** A route's limit at its first request, before any of its latency was seen. */
    public static final Parameter<Integer> INITIAL = Parameter.of("initialConcurrencyLimit", COMPONENT, "20", LIMIT);

    /** A route's limit never goes below this, however its latency climbs. */
    public static final Parameter<Integer> MIN = Parameter.of("minConcurrencyLimit", COMPONENT, "4", LIMIT);

    /**
     * A route's limit never goes above this, however fast it answers, and the requests in flight on every route
     * together never pass it: the app's ceiling.
     */
    public static final Parameter<Integer> MAX = Parameter.of("maxConcurrencyLimit", COMPONENT, "1000", LIMIT);

    /** Paths never limited ({@code /reports/*=off}) or shed last ({@code /checkout/*=critical}). */
    public static final Parameter<PathOverrides<PathMode>> PATHS = Parameter.of("concurrencyLimitPaths", COMPONENT,
            "", Parsers.pathOverrides(Parsers.parser("off or critical", text -> switch (text) {
                case "off" -> PathMode.OFF;
                case "critical" -> PathMode.CRITICAL;
                default -> throw new IllegalArgumentException(text);
            })));

    /** A request header and value that mark a request critical, like {@code X-Priority=critical}; empty: none. */
    public static final Parameter<Optional<CriticalHeader>> CRITICAL_HEADER = Parameter.of("criticalHeader",
            COMPONENT, "", Parsers.parser("empty, or a header Name=value", text -> {
                if (text.isEmpty()) {
                    return Optional.empty();
                }
                int eq = text.indexOf('=');
                if (eq <= 0 || eq == text.length() - 1 || !TOKEN.matcher(text.substring(0, eq).trim()).matches()) {
                    throw new IllegalArgumentException(text);
                }
                return Optional.of(new CriticalHeader(text.substring(0, eq).trim(), text.substring(eq + 1).trim()));
            }));

    private final String algorithm;
    private final int initial;
    private final int min;
    private final int max;
    private final PathOverrides<PathMode> paths;
    private final Optional<CriticalHeader> criticalHeader;

    ConcurrencyLimitConfig(String algorithm, int initial, int min, int max, PathOverrides<PathMode> paths,
            Optional<CriticalHeader> criticalHeader) {
        this.algorithm = algorithm;
        this.initial = initial;
        this.min = min;
        this.max = max;
        this.paths = paths;
        this.criticalHeader = criticalHeader;
    }

    /** Reads every parameter; throws {@link ConfigException} on the first invalid one. */
    public static ConcurrencyLimitConfig read(ConfigReader reader) {
        String algorithm = reader.get(ALGORITHM);
        int min = reader.get(MIN);
        int max = reader.get(MAX);
        if (max < min) {
            throw ConfigException.rejected(MAX.name(), "at least " + MIN.name() + " (" + min + ")",
                    Integer.toString(max));
        }
        int initial = reader.get(INITIAL);
        if (initial < min || initial > max) {
            throw ConfigException.rejected(INITIAL.name(), "between " + MIN.name() + " (" + min + ") and "
                    + MAX.name() + " (" + max + ")", Integer.toString(initial));
        }
        return new ConcurrencyLimitConfig(algorithm, initial, min, max, reader.get(PATHS),
                reader.get(CRITICAL_HEADER));
    }

    public String algorithm() {
        return algorithm;
    }

    public int initialLimit() {
        return initial;
    }

    public int minLimit() {
        return min;
    }

    public int maxLimit() {
        return max;
    }

    /** How a path inside the context is treated, if {@code concurrencyLimitPaths} names it. */
    public Optional<PathMode> modeOf(String path) {
        return paths.match(path);
    }

    public boolean hasPathModes() {
        return !paths.isEmpty();
    }

    public Optional<CriticalHeader> criticalHeader() {
        return criticalHeader;
    }

    /** A header whose value marks a request critical; the name is matched ignoring case, the value exactly. */
    public record CriticalHeader(String name, String value) {
    }
}
