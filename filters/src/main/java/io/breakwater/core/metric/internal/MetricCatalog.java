package io.breakwater.core.metric.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What each figure of a web app's Dropwizard registry is: every Breakwater metric is registered through here, by
 * its {@link MetricId}, so that the views (JMX names, Prometheus' text, the status page) read families and labels
 * from the catalog and never parse a registry key. A key the catalog does not know is the app's own metric. One
 * catalog per registry. Thread-safe.
 */
public final class MetricCatalog {
    private static final Map<MetricRegistry, MetricCatalog> CATALOGS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final MetricRegistry registry;
    private final ConcurrentMap<String, MetricId> ids = new ConcurrentHashMap<>();

    private MetricCatalog(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The catalog of a registry, made on first use. */
    public static MetricCatalog of(MetricRegistry registry) {
        synchronized (CATALOGS) {
            return CATALOGS.computeIfAbsent(registry, MetricCatalog::new);
        }
    }

    public MetricRegistry registry() {
        return registry;
    }

    /** The counter of a {@link MetricFamily.Kind#COUNTER} or {@link MetricFamily.Kind#GAUGE} family. */
    public Counter counter(MetricFamily family, String... labelValues) {
        return registry.counter(declare(family.id(labelValues)));
    }

    /** The meter of a {@link MetricFamily.Kind#COUNTER} family, for counts whose rates the JSON shows. */
    public Meter meter(MetricFamily family, String... labelValues) {
        return registry.meter(declare(family.id(labelValues)));
    }

    /** The timer of a {@link MetricFamily.Kind#TIMER} family, made by {@code timers} when new. */
    public Timer timer(MetricFamily family, MetricRegistry.MetricSupplier<Timer> timers, String... labelValues) {
        return registry.timer(declare(family.id(labelValues)), timers);
    }

    /** The gauge of a family, the one already registered if there is one, else the one {@code gauges} makes. */
    @SuppressWarnings("rawtypes")
    public <T extends Gauge> T gauge(MetricFamily family, MetricRegistry.MetricSupplier<T> gauges,
            String... labelValues) {
        return registry.gauge(declare(family.id(labelValues)), gauges);
    }

    /** Takes a figure out of the registry and the catalog. */
    public void remove(MetricFamily family, String... labelValues) {
        MetricId id = family.id(labelValues);
        registry.remove(id.key());
        ids.remove(id.key(), id);
    }

    /** What the registry key names, or {@code null} for a metric the app registered itself. */
    public MetricId idOf(String key) {
        return ids.get(key);
    }

    /** Every figure declared, registered or since removed from the registry by someone else. */
    public Collection<MetricId> ids() {
        return Collections.unmodifiableCollection(ids.values());
    }

    /** The registered metric of a figure, or {@code null}. */
    public Metric metric(MetricId id) {
        return registry.getMetrics().get(id.key());
    }

    private String declare(MetricId id) {
        MetricId known = ids.putIfAbsent(id.key(), id);
        if (known != null && !known.equals(id)) {
            throw new IllegalStateException("registry key " + id.key() + " is both " + known.family() + " and "
                    + id.family());
        }
        return id.key();
    }
}
