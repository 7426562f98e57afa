package io.breakwater.timeout;

import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.PathOverrides;
import io.breakwater.core.config.ValueParser;
import io.breakwater.core.error.ErrorCode;
import java.time.Duration;

/** What {@link TimeoutFilter} is configured to do, read once at init. Immutable and thread-safe. */
public final class TimeoutConfig {
    private static final String COMPONENT = "TimeoutFilter";
    private static final ValueParser<Duration> DEADLINE =
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1));

    /** The deadline of every request; {@code off} (or {@code 0}) gives none. */
    public static final Parameter<Duration> TIMEOUT = Parameter.of("timeout", COMPONENT, "5s", DEADLINE);

    /** The status of the {@code TIMEOUT} answer: 503, or 504 for gateway routes. */
    public static final Parameter<Integer> TIMEOUT_STATUS = Parameter.of("timeoutStatus", COMPONENT, "503",
            Parsers.parser("503 or 504", text -> {
                if (!text.equals("503") && !text.equals("504")) {
                    throw new IllegalArgumentException(text);
                }
                return Integer.valueOf(text);
            }));

    /**
     * Deadlines of some paths, like {@code /reports/*=30s,/export/*=off}; the longest matching pattern wins. A key
     * written exactly as a route template ({@code /orders/{id}=30s}) applies to that route.
     */
    public static final Parameter<PathOverrides<Duration>> TIMEOUT_PATHS =
            Parameter.of("timeoutPaths", COMPONENT, "", Parsers.pathOverrides(DEADLINE));

    private final Duration timeout;
    private final ErrorCode errorCode;
    private final PathOverrides<Duration> paths;

    TimeoutConfig(Duration timeout, int status, PathOverrides<Duration> paths) {
        this.timeout = timeout;
        this.errorCode = ErrorCode.TIMEOUT.withStatus(status);
        this.paths = paths;
    }

    /** Reads every parameter; throws {@link io.breakwater.core.config.ConfigException} on the first invalid one. */
    public static TimeoutConfig read(ConfigReader reader) {
        return new TimeoutConfig(reader.get(TIMEOUT), reader.get(TIMEOUT_STATUS), reader.get(TIMEOUT_PATHS));
    }

    /** The deadline for a path inside the context, {@link Duration#ZERO} when the path has none. */
    public Duration timeoutFor(String path) {
        return paths.match(path).orElse(timeout);
    }

    /**
     * The deadline of a request: an override written as its route ({@code /orders/{id}=30s}) first, then one
     * matching its path inside the context, then the default.
     */
    public Duration timeoutFor(String route, String path) {
        return paths.exactly(route).or(() -> paths.match(path)).orElse(timeout);
    }

    /** Whether some paths have a deadline of their own; without any, a request's path need not be asked for. */
    public boolean hasPathOverrides() {
        return !paths.isEmpty();
    }

    public Duration timeout() {
        return timeout;
    }

    /** {@code TIMEOUT} with the configured status. */
    public ErrorCode errorCode() {
        return errorCode;
    }
}
