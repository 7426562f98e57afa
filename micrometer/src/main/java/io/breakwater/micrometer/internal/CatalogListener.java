package io.breakwater.micrometer.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricId;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Follows one Dropwizard registry for one Micrometer registry: a figure the {@link MetricCatalog} declared gets its
 * meters when it is registered and loses them when it is removed; a key the catalog does not know (the app's own)
 * is left alone. Dropwizard calls it on the thread that registers, so it only builds meters. Thread-safe.
 */
public final class CatalogListener implements MetricRegistryListener {
    private final MetricCatalog catalog;
    private final MeterRegistry meters;
    private final ConcurrentMap<String, List<io.micrometer.core.instrument.Meter>> byKey = new ConcurrentHashMap<>();

    public CatalogListener(MetricRegistry registry, MeterRegistry meters) {
        this.catalog = MetricCatalog.of(registry);
        this.meters = meters;
    }

    /** Removes every meter registered here. */
    public void removeAll() {
        byKey.keySet().forEach(this::removed);
    }

    private void added(String key, Metric metric) {
        MetricId id = catalog.idOf(key);
        if (id != null) {
            // the catalog declares a figure before registering it, so its id is known here
            List<io.micrometer.core.instrument.Meter> previous = byKey.put(key, FamilyMeters.register(meters, id,
                    metric));
            if (previous != null) {
                previous.forEach(meters::remove);
            }
        }
    }

    private void removed(String key) {
        List<io.micrometer.core.instrument.Meter> gone = byKey.remove(key);
        if (gone != null) {
            gone.forEach(meters::remove);
        }
    }

    @Override
    public void onGaugeAdded(String name, Gauge<?> gauge) {
        added(name, gauge);
    }

    @Override
    public void onGaugeRemoved(String name) {
        removed(name);
    }

    @Override
    public void onCounterAdded(String name, Counter counter) {
        added(name, counter);
    }

    @Override
    public void onCounterRemoved(String name) {
        removed(name);
    }

    @Override
    public void onHistogramAdded(String name, Histogram histogram) {
        added(name, histogram);
    }

    @Override
    public void onHistogramRemoved(String name) {
        removed(name);
    }

    @Override
    public void onMeterAdded(String name, Meter meter) {
        added(name, meter);
    }

    @Override
    public void onMeterRemoved(String name) {
        removed(name);
    }

    @Override
    public void onTimerAdded(String name, Timer timer) {
        added(name, timer);
    }

    @Override
    public void onTimerRemoved(String name) {
        removed(name);
    }
}
