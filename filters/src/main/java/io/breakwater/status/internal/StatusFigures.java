package io.breakwater.status.internal;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.internal.Label;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.metric.internal.MetricId;
import io.breakwater.core.metric.internal.RouteMetrics;
import io.breakwater.core.status.internal.BackendView;
import io.breakwater.core.status.internal.BreakerView;
import io.breakwater.core.status.internal.StatusSources;
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
public final class StatusFigures {
    private final StatusSources sources;
    private final MetricCatalog catalog;
    private final Set<String> ownRoutes;

    public StatusFigures(StatusSources sources, MetricRegistry registry, Set<String> ownRoutes) {
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

    /**
     * A figure in its family's base unit (a gauge's value or a counter's count, like the heap used in bytes), or
     * {@code null} when there is none or it has no number.
     */
    Double value(MetricFamily family, String... labelValues) {
        double value = number(catalog.metric(family.id(labelValues)));
        return Double.isNaN(value) ? null : family.toBase(value);
    }

    /** The sum of every figure of a family in its base unit (like the collections of every collector), or null. */
    Double total(MetricFamily family) {
        Double total = null;
        for (MetricId id : catalog.ids()) {
            if (id.family() == family) {
                double value = number(catalog.metric(id));
                if (!Double.isNaN(value)) {
                    total = (total == null ? 0 : total) + family.toBase(value);
                }
            }
        }
        return total;
    }

    private static double number(Metric metric) {
        if (metric instanceof Counting) {
            return ((Counting) metric).getCount();
        }
        Object value = metric instanceof Gauge ? ((Gauge<?>) metric).getValue() : null;
        return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
    }

    /** The count of a counter or meter of a family (like a route's 5xx responses), 0 if absent. */
    long count(MetricFamily family, String... labelValues) {
        Metric metric = catalog.metric(family.id(labelValues));
        return metric instanceof Counting ? ((Counting) metric).getCount() : 0;
    }
}
