package io.breakwater.circuit.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.ServletContext;

/**
 * The web app's one Resilience4j {@link CircuitBreakerRegistry}, at context attribute {@value #ATTRIBUTE}, so that
 * a status page or a readiness check can read every breaker's state. Created once, on purpose, by the first
 * {@code CircuitBreakerFilter} that starts; an app may put its own there first. Thread-safe.
 */
public final class BreakerRegistry {
    public static final String ATTRIBUTE = "io.breakwater.circuit.registry";

    private BreakerRegistry() {
    }

    /** The context's registry, created if no one put one there yet. */
    public static CircuitBreakerRegistry of(ServletContext context) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing == null) {
                CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
                context.setAttribute(ATTRIBUTE, registry);
                return registry;
            }
            if (!(existing instanceof CircuitBreakerRegistry)) {
                throw new IllegalStateException("context attribute " + ATTRIBUTE + " must be a "
                        + CircuitBreakerRegistry.class.getName() + ", but was a " + existing.getClass().getName());
            }
            return (CircuitBreakerRegistry) existing;
        }
    }
}
