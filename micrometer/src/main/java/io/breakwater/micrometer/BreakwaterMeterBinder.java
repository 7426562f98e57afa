package io.breakwater.micrometer;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.micrometer.internal.CatalogListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Publishes the Breakwater figures of a web app's Dropwizard registry (the one at context attribute
 * {@code io.breakwater.metrics.registry}) as Micrometer meters, read from the same metric model as Breakwater's own
 * Prometheus text: each family {@code route_latency} becomes meters named {@code breakwater.route.latency} with its
 * base unit and its labels as tags, which Micrometer's Prometheus registry shows as
 * {@code breakwater_route_latency_seconds{route="/orders/{id}"}}, the name and labels of Breakwater's own text.
 * Figures that appear later (a new route, a backend added at run time) are bound as they appear and removed when
 * they go. Counters and gauges read the figure itself on every scrape; a timer gives its count and total time (its
 * quantiles are in Breakwater's own text only). The app's own metrics in the Dropwizard registry are not
 * published: they are the app's to bind. Thread-safe; {@link #close()} unbinds from every registry.
 */
public final class BreakwaterMeterBinder implements MeterBinder, AutoCloseable {
    private final MetricRegistry registry;
    private final List<CatalogListener> bound = new CopyOnWriteArrayList<>();

    /** A binder for the figures of {@code registry}, the web app's Breakwater registry. */
    public BreakwaterMeterBinder(MetricRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        CatalogListener listener = new CatalogListener(registry, meters);
        bound.add(listener);
        // Dropwizard tells a new listener of every metric already registered, then of each one added or removed
        registry.addListener(listener);
    }

    /** Stops following the Dropwizard registry and removes the meters this binder registered. */
    @Override
    public void close() {
        for (CatalogListener listener : bound) {
            registry.removeListener(listener);
            listener.removeAll();
        }
        bound.clear();
    }
}
