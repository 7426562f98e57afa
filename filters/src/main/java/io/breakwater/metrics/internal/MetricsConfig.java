package io.breakwater.metrics.internal;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;

/** What {@code MetricsFilter} is configured to do, read once at init. Immutable. */
public final class MetricsConfig {
    /**
     * How many distinct routes (servlet mapping patterns) get their own metrics; requests of any further route
     * share the {@code overflow} route, so that the registry stays bounded.
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
