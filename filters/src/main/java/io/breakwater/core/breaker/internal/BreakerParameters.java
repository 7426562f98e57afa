package io.breakwater.core.breaker.internal;

import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import java.time.Duration;

/**
 * The parameters every breaker of Breakwater reads, declared once: a route's breaker and a guarded filter's have the
 * same names, defaults and ranges, so that one suite-wide value sets both. Each component still declares its own
 * {@code Parameter} constant from these, as the README's table lists one row per parameter and component.
 */
public final class BreakerParameters {
    private BreakerParameters() {
    }

    /** The breaker's window: seconds for a time-based window, calls for a count-based one. */
    public static Parameter<Integer> windowSize(String component) {
        return Parameter.of("windowSize", component, "10", Parsers.integer(1, 10_000));
    }

    /** Below this many calls in the window, the breaker does not judge. */
    public static Parameter<Integer> minimumCalls(String component) {
        return Parameter.of("minimumCalls", component, "20", Parsers.integer(1, 10_000));
    }

    public static Parameter<Float> failureRateThreshold(String component) {
        return Parameter.of("failureRateThreshold", component, "50", Parsers.percentage());
    }

    public static Parameter<Duration> waitInOpen(String component) {
        return Parameter.of("waitInOpen", component, "10s",
                Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)));
    }

    public static Parameter<Integer> halfOpenCalls(String component) {
        return Parameter.of("halfOpenCalls", component, "3", Parsers.integer(1, 1000));
    }

    /**
     * How long a half-open breaker waits for its probes' ends before it opens again: a probe whose end is never
     * told (a request lost without an end) must not leave the breaker refusing for good.
     */
    public static Parameter<Duration> maxWaitInHalfOpen(String component) {
        return Parameter.of("maxWaitInHalfOpen", component, "1m",
                Parsers.duration(Duration.ofMillis(100), Duration.ofHours(1)));
    }
}
