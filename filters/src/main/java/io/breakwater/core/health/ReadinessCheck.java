package io.breakwater.core.health;

import java.util.Optional;

/**
 * One thing the web app needs before it may take traffic, asked by {@code ReadinessServlet} on every probe, so it
 * must answer at once from state it already holds (no I/O). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /**
     * Why the app should get no traffic now, in a few words without addresses or secrets (probes and load balancers
     * log it); empty when this check is satisfied.
     */
    Optional<String> unready();
}
