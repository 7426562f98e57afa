package io.breakwater.core.metric;


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

    private ConcurrencyLimitMetrics() {
    }
}
