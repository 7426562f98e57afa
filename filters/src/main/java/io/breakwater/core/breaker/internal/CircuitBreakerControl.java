package io.breakwater.core.breaker.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The MBean of one breaker (a route's or a guarded filter's): Resilience4j's state and rates, and its manual
 * transitions. Thread-safe.
 */
public final class CircuitBreakerControl implements CircuitBreakerControlMBean {
    private final Breaker route;

    CircuitBreakerControl(Breaker route) {
        this.route = route;
    }

    @Override
    public String getState() {
        return route.breaker().getState().name();
    }

    @Override
    public float getFailureRate() {
        return route.breaker().getMetrics().getFailureRate();
    }

    @Override
    public float getSlowCallRate() {
        return route.breaker().getMetrics().getSlowCallRate();
    }

    @Override
    public long getRejectedCalls() {
        return route.rejectedCalls();
    }

    @Override
    public String getProbeAllowedAt() {
        Instant at = route.probeAllowedAt();
        return at == null ? "" : at.toString();
    }

    @Override
    public void reset() {
        route.reset();
    }

    @Override
    public void forceOpen() {
        moveTo(State.FORCED_OPEN, CircuitBreaker::transitionToForcedOpenState);
    }

    @Override
    public void disable() {
        moveTo(State.METRICS_ONLY, CircuitBreaker::transitionToMetricsOnlyState);
    }

    @Override
    public void close() {
        moveTo(State.CLOSED, CircuitBreaker::transitionToClosedState);
    }

    /**
     * Resilience4j refuses a move to the state it is in with its own exception class, which a remote JMX client
     * could not even deserialize: an operation that asks for the current state does nothing instead.
     */
    private void moveTo(State target, Consumer<CircuitBreaker> transition) {
        CircuitBreaker breaker = route.breaker();
        if (breaker.getState() == target) {
            return;
        }
        try {
            route.move(transition);
        } catch (RuntimeException e) {
            if (breaker.getState() != target) {
                throw new IllegalStateException("could not move circuit breaker " + breaker.getName() + " to "
                        + target + " from " + breaker.getState());
            }
        }
    }
}
