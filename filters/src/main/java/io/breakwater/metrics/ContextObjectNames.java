package io.breakwater.metrics;

import com.codahale.metrics.jmx.ObjectNameFactory;
import javax.management.ObjectName;

/**
 * Names a web app's metric MBeans {@code breakwater:type=<first part of the metric name>,context=<context
 * path>,name=<metric name>}, like {@code breakwater:type=route,context="/shop",name="route./orders/*.latency"}:
 * grouped by what they measure in jconsole's tree, and never colliding with another web app's. Immutable and
 * thread-safe.
 */
final class ContextObjectNames implements ObjectNameFactory {
    private final String contextPath;

    ContextObjectNames(String contextPath) {
        this.contextPath = contextPath;
    }

    @Override
    public ObjectName createName(String metricType, String domain, String name) {
        return Jmx.name(contextPath, group(name), name);
    }

    /** {@code route}, {@code filter}, {@code backend}... or {@code metric} for a name without a dot. */
    static String group(String metricName) {
        int dot = metricName.indexOf('.');
        String group = dot > 0 ? metricName.substring(0, dot) : "metric";
        return group.matches("[A-Za-z0-9_-]+") ? group : "metric";
    }
}
