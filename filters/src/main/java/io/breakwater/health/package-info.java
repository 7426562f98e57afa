/**
 * Liveness and readiness probes, and {@link io.breakwater.health.DrainFilter}, which holds an undeploy until
 * the requests in flight have ended.
 */
package io.breakwater.health;
