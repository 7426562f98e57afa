package io.breakwater.core.breaker.internal;

/**
 * The JMX view and controls of one circuit breaker, a route's or a guarded filter's, registered as
 * {@code breakwater:type=CircuitBreaker,context=<path>,name=<breaker>}. Implementations are thread-safe.
 */
public interface CircuitBreakerControlMBean {

    /**
     * {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN}, {@code METRICS_ONLY} or {@code DISABLED}.
     */
    String getState();

    /** Percentage of failed calls in the window, or -1 while the window holds fewer than the minimum calls. */
    float getFailureRate();

    /** Percentage of slow calls in the window, or -1 while the window holds fewer than the minimum calls. */
    float getSlowCallRate();

    /** Requests answered {@code CIRCUIT_OPEN} since the filter started. */
    long getRejectedCalls();

    /**
     * When an open breaker lets its first probe through (ISO-8601, maybe already past), or {@code ""} when it is
     * not open.
     */
    String getProbeAllowedAt();

    /** Closes the breaker and forgets every recorded call. */
    void reset();

    /** Opens the breaker until {@link #reset()} or {@link #close()}: every request is answered {@code CIRCUIT_OPEN}. */
    void forceOpen();

    /** Lets every request through, still recording the rates, until {@link #reset()} or {@link #close()}. */
    void disable();

    /** Closes the breaker, keeping nothing of the window. */
    void close();
}
