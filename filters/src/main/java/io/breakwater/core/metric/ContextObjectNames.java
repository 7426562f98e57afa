package io.breakwater.core.metric;

import com.codahale.metrics.jmx.ObjectNameFactory;
import javax.management.ObjectName;

/**
 * Names a web app's metric MBeans {@code breakwater:type=<first part of the metric name>,context=<context
 * path>,name=<metric name>}, like {@code breakwater:type=route,context="/shop",name="route./orders/*.latency"}
 * (the type is the group of the metric's family, from the {@link MetricCatalog}; the app's own metrics are
 * {@code metric}):
 * grouped by what they measure in jconsole's tree, and never colliding with another web app's. Immutable and
 * thread-safe.
 */
final class ContextObjectNames implements ObjectNameFactory {
    private final String contextPath;
    private final MetricCatalog catalog;

    ContextObjectNames(String contextPath, MetricCatalog catalog) {
        this.contextPath = contextPath;
        this.catalog = catalog;
    }

    @Override
    public ObjectName createName(String metricType, String domain, String name) {
        return Jmx.name(contextPath, group(name), name);
    }

    /** The family's group ({@code route}, {@code filter}, {@code circuit}, {@code proxy}), or {@code metric}. */
    private String group(String metricName) {
        MetricId id = catalog.idOf(metricName);
        return id == null ? "metric" : id.family().group();
    }
}
