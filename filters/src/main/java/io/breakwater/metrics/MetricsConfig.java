package io.breakwater.metrics;

import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import io.breakwater.core.config.Parsers;

/** What {@link MetricsFilter} is configured to do, read once at init. Immutable. */
public final class MetricsConfig {
    /**
     * How many distinct routes (servlet mapping patterns) get their own metrics; requests of any further route
     * share the {@value io.breakwater.core.metric.RouteTable#OVERFLOW} route, so that the registry stays bounded.
     */
    public static final Parameter<Integer> MAX_ROUTES =
            Parameter.of("maxRoutes", "MetricsFilter", "100", Parsers.integer(1, 10_000));

    private final int maxRoutes;

    private MetricsConfig(int maxRoutes) {
        this.maxRoutes = maxRoutes;
    }

    public static MetricsConfig read(ConfigReader reader) {
        return new MetricsConfig(reader.get(MAX_ROUTES));
    }

    public int maxRoutes() {
        return maxRoutes;
    }
}
