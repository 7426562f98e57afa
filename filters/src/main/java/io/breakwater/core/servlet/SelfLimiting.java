package io.breakwater.core.servlet;

/**
 * Marks a servlet that bounds its own work in flight and refuses the excess itself, such as the balancing proxy with
 * its per-backend connection caps, queues and connection wait: the concurrency limit leaves its requests alone,
 * since their latency is the backends' and a second limit on top would shed traffic that healthy backends are
 * serving. A marker: no methods, no state.
 */
public interface SelfLimiting {
}
