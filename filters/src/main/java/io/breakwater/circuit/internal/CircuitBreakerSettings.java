package io.breakwater.circuit.internal;

import io.breakwater.core.breaker.internal.BreakerParameters;
import io.breakwater.core.breaker.internal.OpenWaits;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Durations;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.config.internal.PathOverrides;
import io.breakwater.core.config.internal.StatusSet;
import io.breakwater.core.config.internal.ValueParser;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code CircuitBreakerFilter} is configured to do, read once at init, and the Resilience4j configuration of
 * each route's breaker derived from it. Immutable and thread-safe.
 */
public final class CircuitBreakerSettings implements OpenWaits {
    private static final String COMPONENT = "CircuitBreakerFilter";
    private static final Duration NEVER_SLOW = Duration.ofDays(365);
    private static final Pattern FIXED_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** {@code time}: the window holds the last windowSize seconds; {@code count}: the last windowSize calls. */
    public static final Parameter<String> WINDOW_TYPE =
            Parameter.of("windowType", COMPONENT, "time", Parsers.choice("time", "count"));
    public static final Parameter<Integer> WINDOW_SIZE = BreakerParameters.windowSize(COMPONENT);
    /** Below this many calls in the window, the breaker does not judge the route. */
    public static final Parameter<Integer> MINIMUM_CALLS = BreakerParameters.minimumCalls(COMPONENT);
    public static final Parameter<Float> FAILURE_RATE_THRESHOLD = BreakerParameters.failureRateThreshold(COMPONENT);
    public static final Parameter<Float> SLOW_CALL_RATE_THRESHOLD =
            Parameter.of("slowCallRateThreshold", COMPONENT, "100", Parsers.percentage());
    /** Calls slower than this count as slow; {@code off} counts none. */
    public static final Parameter<Duration> SLOW_CALL_DURATION = Parameter.of("slowCallDuration", COMPONENT, "off",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)));
    public static final Parameter<Duration> WAIT_IN_OPEN = BreakerParameters.waitInOpen(COMPONENT);
    /** Each reopening without a close in between multiplies the wait by this; 1 keeps it constant. */
    public static final Parameter<Double> WAIT_IN_OPEN_MULTIPLIER =
            Parameter.of("waitInOpenMultiplier", COMPONENT, "1", multiplier());
    public static final Parameter<Duration> MAX_WAIT_IN_OPEN = Parameter.of("maxWaitInOpen", COMPONENT, "5m",
            Parsers.duration(Duration.ofMillis(100), Duration.ofHours(24)));
    public static final Parameter<Integer> HALF_OPEN_CALLS = BreakerParameters.halfOpenCalls(COMPONENT);
    /** How long a half-open breaker waits for its probes' ends before it opens again. */
    public static final Parameter<Duration> MAX_WAIT_IN_HALF_OPEN = BreakerParameters.maxWaitInHalfOpen(COMPONENT);
    public static final Parameter<StatusSet> FAILURE_STATUSES =
            Parameter.of("failureStatuses", COMPONENT, "500,502,503,504", serverErrorStatuses());
    /** {@code route}: one breaker per servlet mapping; {@code servlet}: per servlet; else one fixed name. */
    public static final Parameter<String> BREAKER_NAME =
            Parameter.of("breakerName", COMPONENT, "route", breakerNames());
    /** Per route, another failure-rate threshold, or {@code off} to keep the route out of the breaker. */
    public static final Parameter<PathOverrides<Optional<Float>>> FAILURE_RATE_THRESHOLD_OVERRIDES =
            Parameter.of("failureRateThresholdOverrides", COMPONENT, "", Parsers.pathOverrides(percentageOrOff()));
    /** Per route, another slow-call duration, or {@code off}: reports may be slow by nature. */
    public static final Parameter<PathOverrides<Duration>> SLOW_CALL_DURATION_OVERRIDES =
            Parameter.of("slowCallDurationOverrides", COMPONENT, "",
                    Parsers.pathOverrides(Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1))));

    private final SlidingWindowType windowType;
    private final int windowSize;
    private final int minimumCalls;
    private final float failureRateThreshold;
    private final float slowCallRateThreshold;
    private final Duration slowCallDuration;
    private final Duration waitInOpen;
    private final double waitInOpenMultiplier;
    private final Duration maxWaitInOpen;
    private final int halfOpenCalls;
    private final Duration maxWaitInHalfOpen;
    private final StatusSet failureStatuses;
    private final String breakerName;
    private final PathOverrides<Optional<Float>> failureRateThresholdOverrides;
    private final PathOverrides<Duration> slowCallDurationOverrides;

    private CircuitBreakerSettings(ConfigReader reader) {
        windowType = reader.get(WINDOW_TYPE).equals("time") ? SlidingWindowType.TIME_BASED
                : SlidingWindowType.COUNT_BASED;
        windowSize = reader.get(WINDOW_SIZE);
        minimumCalls = reader.get(MINIMUM_CALLS);
        failureRateThreshold = reader.get(FAILURE_RATE_THRESHOLD);
        slowCallRateThreshold = reader.get(SLOW_CALL_RATE_THRESHOLD);
        slowCallDuration = reader.get(SLOW_CALL_DURATION);
        waitInOpen = reader.get(WAIT_IN_OPEN);
        waitInOpenMultiplier = reader.get(WAIT_IN_OPEN_MULTIPLIER);
        maxWaitInOpen = reader.get(MAX_WAIT_IN_OPEN);
        halfOpenCalls = reader.get(HALF_OPEN_CALLS);
        maxWaitInHalfOpen = reader.get(MAX_WAIT_IN_HALF_OPEN);
        failureStatuses = reader.get(FAILURE_STATUSES);
        breakerName = reader.get(BREAKER_NAME);
        failureRateThresholdOverrides = reader.get(FAILURE_RATE_THRESHOLD_OVERRIDES);
        slowCallDurationOverrides = reader.get(SLOW_CALL_DURATION_OVERRIDES);
        if (waitInOpenMultiplier > 1 && maxWaitInOpen.compareTo(waitInOpen) < 0) {
            throw ConfigException.rejected(MAX_WAIT_IN_OPEN.name(),
                    "at least waitInOpen (" + Durations.format(waitInOpen) + ")", Durations.format(maxWaitInOpen));
        }
    }

    /** Reads every parameter; throws {@link ConfigException} on the first invalid one. */
    public static CircuitBreakerSettings read(ConfigReader reader) {
        return new CircuitBreakerSettings(reader);
    }

    /**
     * The Resilience4j configuration for the breaker of a route (a servlet mapping pattern, matched against the
     * overrides as a path), or empty when an override keeps the route out of the breaker.
     */
    public Optional<CircuitBreakerConfig> forRoute(String route, Clock clock) {
        Optional<Optional<Float>> thresholdOverride = failureRateThresholdOverrides.match(route);
        if (thresholdOverride.isPresent() && thresholdOverride.get().isEmpty()) {
            return Optional.empty();
        }
        float threshold = thresholdOverride.map(Optional::get).orElse(failureRateThreshold);
        Duration slow = slowCallDurationOverrides.match(route).orElse(slowCallDuration);
        return Optional.of(CircuitBreakerConfig.custom()
                .slidingWindow(windowSize, minimumCalls, windowType, SlidingWindowSynchronizationStrategy.SYNCHRONIZED)
                .failureRateThreshold(threshold)
                .slowCallRateThreshold(slowCallRateThreshold)
                .slowCallDurationThreshold(slow.isZero() ? NEVER_SLOW : slow)
                .waitIntervalFunctionInOpenState(waitInterval())
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                // exceptions and statuses are classified by the filter, which reports them as errors or successes
                .recordException(thrown -> true)
                .writableStackTraceEnabled(false)
                .clock(clock)
                .build());
    }

    @Override
    public Duration waitInOpen(int openings) {
        return Duration.ofMillis(waitInterval().apply(Math.max(1, openings)));
    }

    private IntervalFunction waitInterval() {
        if (waitInOpenMultiplier == 1) {
            return IntervalFunction.of(waitInOpen);
        }
        return IntervalFunction.ofExponentialBackoff(waitInOpen, waitInOpenMultiplier, maxWaitInOpen);
    }

    public boolean isFailureStatus(int status) {
        return failureStatuses.holds(status);
    }

    /** {@code route}, {@code servlet} or a fixed name. */
    public String breakerName() {
        return breakerName;
    }

    @Override
    public Duration maxWaitInHalfOpen() {
        return maxWaitInHalfOpen;
    }

    @Override
    public Duration baseWaitInOpen() {
        return waitInOpen;
    }

    private static ValueParser<Double> multiplier() {
        return Parsers.parser("a number between 1 and 10", text -> {
            double value = Double.parseDouble(text);
            if (!(value >= 1 && value <= 10)) {
                throw new IllegalArgumentException(text);
            }
            return value;
        });
    }

    /** Never a 4xx: a client's mistake says nothing about the route's health. */
    private static ValueParser<StatusSet> serverErrorStatuses() {
        ValueParser<StatusSet> any = Parsers.statuses();
        return Parsers.parser("a comma-separated list of HTTP status codes from 500 to 599", text -> {
            StatusSet statuses = any.parse(text);
            for (int status : statuses) {
                if (status < 500) {
                    throw new IllegalArgumentException(text);
                }
            }
            return statuses;
        });
    }

    private static ValueParser<String> breakerNames() {
        return Parsers.parser("route, servlet, or a fixed name of 1 to 64 letters, digits, '.', '_' or '-'", text -> {
            if (!FIXED_NAME.matcher(text).matches()) {
                throw new IllegalArgumentException(text);
            }
            return text;
        });
    }

    private static ValueParser<Optional<Float>> percentageOrOff() {
        ValueParser<Float> percentage = Parsers.percentage();
        return Parsers.parser(percentage.accepted() + ", or off",
                text -> text.equals("off") ? Optional.empty() : Optional.of(percentage.parse(text)));
    }
}
