/**
 * {@link io.breakwater.metrics.MetricsFilter} and the web app's Dropwizard registry, published over JMX and
 * as JSON or Prometheus text.
 */
package io.breakwater.metrics;
