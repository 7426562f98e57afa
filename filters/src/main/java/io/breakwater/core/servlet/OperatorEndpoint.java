package io.breakwater.core.servlet;

/**
 * Marks a servlet that answers probes and operators (health, readiness, status, metrics): load shedding leaves its
 * requests alone, so that an overloaded app still tells its balancer and its operators how it is. A marker: no
 * methods, no state.
 */
public interface OperatorEndpoint {
}
