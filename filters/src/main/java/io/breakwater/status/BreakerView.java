package io.breakwater.status;

/** One circuit breaker as its {@code CircuitBreaker} MBean shows it, read in one go. Immutable. */
record BreakerView(String name, String state, float failureRate, float slowCallRate, long rejectedCalls,
        String probeAllowedAt) {
}
