package io.breakwater.core.status;

import java.time.Instant;

/**
 * One circuit breaker as the status page shows it, read in one go. Immutable.
 *
 * @param name the breaker's name (its route, unless configured otherwise), unique in the web app
 * @param state {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN}, {@code METRICS_ONLY} or
 *     {@code DISABLED}
 * @param failureRate percentage of failed calls in its window, or -1 before the window holds its minimum of calls
 * @param slowCallRate percentage of slow calls in its window, or -1 likewise
 * @param rejectedCalls requests it refused while open
 * @param probeAllowedAt when an open breaker lets its first probe through (maybe already past), or {@code null}
 *     when it is not open
 */
public record BreakerView(String name, String state, float failureRate, float slowCallRate, long rejectedCalls,
        Instant probeAllowedAt) {
}
