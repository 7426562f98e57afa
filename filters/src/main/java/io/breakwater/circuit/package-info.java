/**
 * {@link io.breakwater.circuit.CircuitBreakerFilter}: a Resilience4j circuit breaker per route, with its
 * controls as MBeans.
 */
package io.breakwater.circuit;
