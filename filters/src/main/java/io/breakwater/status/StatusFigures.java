package io.breakwater.status;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.Label;
import io.breakwater.core.metric.MetricCatalog;
import io.breakwater.core.metric.MetricFamily;
import io.breakwater.core.metric.MetricId;
import io.breakwater.core.metric.RouteMetrics;
import io.breakwater.core.status.BackendView;
import io.breakwater.core.status.BreakerView;
import io.breakwater.core.status.StatusSources;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where the status page's figures come from: the web app's registry for routes and latencies, and the
 * {@link StatusSources} that the proxies and the circuit breaker filter publish for backends and breakers, so that
 * the page knows neither feature. Reads live values on every call. Thread-safe.
 */
final class StatusFigures {
    private final StatusSources sources;
    private final MetricCatalog catalog;
    private final Set<String> ownRoutes;

    StatusFigures(StatusSources sources, MetricRegistry registry, Set<String> ownRoutes) {
        this.sources = sources;
        this.catalog = MetricCatalog.of(registry);
        this.ownRoutes = Set.copyOf(ownRoutes);
    }

    /** Every backend, by id. */
    List<BackendView> backends() {
        return sources.backends().stream().sorted(Comparator.comparing(BackendView::id)).toList();
    }

    /** Every breaker by name, leaving out one on this page's own route. */
    List<BreakerView> breakers() {
        return sources.breakers().stream().filter(breaker -> !ownRoutes.contains(breaker.name()))
                .sorted(Comparator.comparing(BreakerView::name)).toList();
    }

    /** Every route's latency timer by route name, leaving out this page's own route. */
    SortedMap<String, Timer> routes() {
        SortedMap<String, Timer> routes = new TreeMap<>();
        for (MetricId id : catalog.ids()) {
            if (id.family() == RouteMetrics.LATENCY && !ownRoutes.contains(id.label(Label.ROUTE))
                    && catalog.metric(id) instanceof Timer) {
                routes.put(id.label(Label.ROUTE), (Timer) catalog.metric(id));
            }
        }
        return routes;
    }

    /** The value of a gauge of a family, or {@code null} when there is none. */
    Object gaugeValue(MetricFamily family, String... labelValues) {
        Metric metric = catalog.metric(family.id(labelValues));
        return metric instanceof Gauge ? ((Gauge<?>) metric).getValue() : null;
    }

    /** The count of a counter or meter of a family (like a route's 5xx responses), 0 if absent. */
    long count(MetricFamily family, String... labelValues) {
        Metric metric = catalog.metric(family.id(labelValues));
        return metric instanceof Counting ? ((Counting) metric).getCount() : 0;
    }
}
