package io.breakwater.guard.internal;

import io.breakwater.core.breaker.internal.BreakerParameters;
import io.breakwater.core.breaker.internal.OpenWaits;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code GuardedFilter} is configured to do for the filter it guards, read once at init, and the Resilience4j
 * configuration of that filter's breaker. The breaker's parameters have the route breaker's names, so that one
 * suite-wide {@code breakwater.waitInOpen} sets both. Immutable and thread-safe.
 */
public final class GuardSettings implements OpenWaits {
    private static final String COMPONENT = "GuardedFilter";
    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    /** The class of the guarded filter, for {@code web.xml}; from code the guard is handed the filter itself. */
    public static final Parameter<String> FILTER = Parameter.required("filter", COMPONENT,
            Parsers.parser("the name of a class that implements jakarta.servlet.Filter", text -> {
                if (!CLASS_NAME.matcher(text).matches()) {
                    throw new IllegalArgumentException(text);
                }
                return text;
            }));
    /**
     * The most time the filter may spend on its own work for one request, before and after the rest of the chain
     * together (what runs downstream never counts); {@code off} gives none. 2s: under half the request's default
     * deadline ({@code timeout}, 5s), so that a hung filter is caught and blamed before the request's deadline
     * passes, and far above what a filter's own call (a token check, a tenant lookup) takes on a good day.
     */
    public static final Parameter<Duration> GUARD_TIMEOUT = Parameter.of("guardTimeout", COMPONENT, "2s",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)));
    /** While the breaker is open: {@code fail} answers {@code CIRCUIT_OPEN}, {@code skip} bypasses the filter. */
    public static final Parameter<String> ON_OPEN =
            Parameter.of("onOpen", COMPONENT, "fail", Parsers.choice("fail", "skip"));
    /** Whether the app may answer without the filter: required for {@code onOpen=skip}. */
    public static final Parameter<Boolean> OPTIONAL = Parameter.of("optional", COMPONENT, "false", Parsers.bool());
    /** The breaker's window, in seconds. */
    public static final Parameter<Integer> WINDOW_SIZE = BreakerParameters.windowSize(COMPONENT);
    public static final Parameter<Integer> MINIMUM_CALLS = BreakerParameters.minimumCalls(COMPONENT);
    public static final Parameter<Float> FAILURE_RATE_THRESHOLD = BreakerParameters.failureRateThreshold(COMPONENT);
    public static final Parameter<Duration> WAIT_IN_OPEN = BreakerParameters.waitInOpen(COMPONENT);
    public static final Parameter<Integer> HALF_OPEN_CALLS = BreakerParameters.halfOpenCalls(COMPONENT);
    public static final Parameter<Duration> MAX_WAIT_IN_HALF_OPEN = BreakerParameters.maxWaitInHalfOpen(COMPONENT);

    /** The guard's own parameters, which the guarded filter never sees among its init-params. */
    public static final Set<String> OWN_NAMES = Set.copyOf(List.of(FILTER, GUARD_TIMEOUT, ON_OPEN, OPTIONAL,
            WINDOW_SIZE, MINIMUM_CALLS, FAILURE_RATE_THRESHOLD, WAIT_IN_OPEN, HALF_OPEN_CALLS,
            MAX_WAIT_IN_HALF_OPEN).stream().map(Parameter::name).toList());

    private final Duration guardTimeout;
    private final boolean skipWhenOpen;
    private final int windowSize;
    private final int minimumCalls;
    private final float failureRateThreshold;
    private final Duration waitInOpen;
    private final int halfOpenCalls;
    private final Duration maxWaitInHalfOpen;

    private GuardSettings(ConfigReader reader) {
        guardTimeout = reader.get(GUARD_TIMEOUT);
        boolean optional = reader.get(OPTIONAL);
        skipWhenOpen = reader.get(ON_OPEN).equals("skip");
        if (skipWhenOpen && !optional) {
            // a skipped authentication filter is a hole: bypassing must be asked for twice
            throw ConfigException.rejected(ON_OPEN.name(), "fail unless optional is true", "skip");
        }
        windowSize = reader.get(WINDOW_SIZE);
        minimumCalls = reader.get(MINIMUM_CALLS);
        failureRateThreshold = reader.get(FAILURE_RATE_THRESHOLD);
        waitInOpen = reader.get(WAIT_IN_OPEN);
        halfOpenCalls = reader.get(HALF_OPEN_CALLS);
        maxWaitInHalfOpen = reader.get(MAX_WAIT_IN_HALF_OPEN);
    }

    /** Reads every parameter; throws {@link ConfigException} on the first invalid one. */
    public static GuardSettings read(ConfigReader reader) {
        return new GuardSettings(reader);
    }

    /** The class name of the filter to guard: required when the guard was not handed one. */
    public static String filterClass(ConfigReader reader) {
        return reader.get(FILTER);
    }

    /** The bound of the filter's own time per request; zero for none. */
    public Duration guardTimeout() {
        return guardTimeout;
    }

    /** Whether requests bypass the filter while its breaker is open, rather than being answered CIRCUIT_OPEN. */
    public boolean skipWhenOpen() {
        return skipWhenOpen;
    }

    /** The filter's breaker: failures are judged by the guard, which reports only the filter's own. */
    public CircuitBreakerConfig breakerConfig(Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindow(windowSize, minimumCalls, SlidingWindowType.TIME_BASED,
                        SlidingWindowSynchronizationStrategy.SYNCHRONIZED)
                .failureRateThreshold(failureRateThreshold)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofDays(365))
                .waitDurationInOpenState(waitInOpen)
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                .recordException(thrown -> true)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build();
    }

    @Override
    public Duration waitInOpen(int openings) {
        return waitInOpen;
    }

    @Override
    public Duration baseWaitInOpen() {
        return waitInOpen;
    }

    @Override
    public Duration maxWaitInHalfOpen() {
        return maxWaitInHalfOpen;
    }
}
