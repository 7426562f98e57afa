package io.breakwater.bench;

import java.util.List;
import java.util.Optional;

/** Breakwater's components by class name, looked up at run time so that absent ones are skipped. Thread-safe. */
public final class BreakwaterClasses {
    public static final String EXCEPTION_HANDLING = "io.breakwater.exception.ExceptionHandlingFilter";
    public static final String CONCURRENCY_LIMIT = "io.breakwater.limit.ConcurrencyLimitFilter";
    public static final String TIMEOUT = "io.breakwater.timeout.TimeoutFilter";
    public static final String CIRCUIT_BREAKER = "io.breakwater.circuit.CircuitBreakerFilter";
    public static final String METRICS = "io.breakwater.metrics.MetricsFilter";
    public static final String GUARDED = "io.breakwater.guard.GuardedFilter";
    public static final String BALANCING_PROXY = "io.breakwater.proxy.BalancingProxyServlet";
    public static final List<String> FILTERS_IN_ORDER =
            List.of(EXCEPTION_HANDLING, CONCURRENCY_LIMIT, TIMEOUT, CIRCUIT_BREAKER, METRICS);

    private BreakwaterClasses() {
    }

    /** The class if it is on the class path and a {@code type}, else empty. */
    public static <T> Optional<Class<? extends T>> load(String name, Class<T> type) {
        try {
            Class<?> found = Class.forName(name, false, BreakwaterClasses.class.getClassLoader());
            return type.isAssignableFrom(found) ? Optional.of(found.asSubclass(type)) : Optional.empty();
        } catch (ClassNotFoundException absent) {
            return Optional.empty();
        }
    }
}
