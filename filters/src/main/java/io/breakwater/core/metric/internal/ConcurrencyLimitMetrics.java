package io.breakwater.core.metric.internal;


/**
 * The figures of the concurrency limit, declared here beside the route's so that the status page reads them without
 * knowing the filter. Constants only; thread-safe.
 */
public final class ConcurrencyLimitMetrics {
    /** The filter's name in its figures. */
    public static final String FILTER = "concurrencyLimit";
    public static final MetricFamily LIMIT = MetricFamily.gauge("filter_concurrency_limit",
            "The number of requests the concurrency limit admits at once, as it stands now.", "filter.{filter}.limit");
    public static final MetricFamily IN_FLIGHT = MetricFamily.gauge("filter_concurrency_in_flight",
            "Requests holding a place under the concurrency limit.", "filter.{filter}.inFlight");
    public static final MetricFamily SHED = MetricFamily.counter("filter_shed",
            "Requests the concurrency limit shed with OVERLOADED.", "filter.{filter}.shed");
    /** One route's own limit, under the app's; published once the route's first request was seen. */
    public static final MetricFamily ROUTE_LIMIT = MetricFamily.gauge("route_concurrency_limit",
            "The number of the route's requests its concurrency limit admits at once, as it stands now.",
            "route.{route}.concurrencyLimit");
    public static final MetricFamily ROUTE_IN_FLIGHT = MetricFamily.gauge("route_concurrency_in_flight",
            "The route's requests holding a place under its concurrency limit.", "route.{route}.concurrencyInFlight");

    private ConcurrencyLimitMetrics() {
    }
}
