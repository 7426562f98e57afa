package io.breakwater.status;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.Jmx;
import io.breakwater.core.metric.Label;
import io.breakwater.core.metric.MetricCatalog;
import io.breakwater.core.metric.MetricFamily;
import io.breakwater.core.metric.MetricId;
import io.breakwater.core.metric.RouteMetrics;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Where the status page's figures come from: the web app's registry for routes and latencies, and the platform
 * MBean server for the backends' and breakers' control MBeans, so that this module never depends on the proxy's.
 * Reads live values on every call. Thread-safe.
 */
final class StatusSources {
    /** The family of a backend's latency timer, declared by the proxy, which this module does not depend on. */
    static final String BACKEND_LATENCY = "proxy_backend_latency";
    private static final String[] BACKEND_ATTRIBUTES =
            {"Url", "State", "Healthy", "EjectedUntil", "InFlight", "Requests", "Failures"};
    private static final String[] BREAKER_ATTRIBUTES =
            {"State", "FailureRate", "SlowCallRate", "RejectedCalls", "ProbeAllowedAt"};

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ServletContext context;
    private final MetricRegistry registry;
    private final MetricCatalog catalog;
    private final Set<String> ownRoutes;
    private final ObjectName backends;
    private final ObjectName breakers;

    StatusSources(ServletContext context, MetricRegistry registry, Set<String> ownRoutes) {
        this.context = context;
        this.registry = registry;
        this.catalog = MetricCatalog.of(registry);
        this.ownRoutes = Set.copyOf(ownRoutes);
        this.backends = pattern(context, "Backend");
        this.breakers = pattern(context, "CircuitBreaker");
    }

    /** {@code breakwater:type=<type>,context=<this app's>,*}. */
    private static ObjectName pattern(ServletContext context, String type) {
        ObjectName one = Jmx.name(context, type, "x");
        try {
            return new ObjectName(BreakwaterMetrics.JMX_DOMAIN + ":type=" + type + ",context="
                    + one.getKeyProperty("context") + ",*");
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    MetricRegistry registry() {
        return registry;
    }

    /** The MBean of a backend or breaker of this app by its id, or {@code null} when there is none. */
    ObjectName find(String type, String id) {
        ObjectName name = Jmx.name(context, type, id);
        return server.isRegistered(name) ? name : null;
    }

    /** Invokes an operation without arguments on a control MBean. */
    void invoke(ObjectName name, String operation) throws JMException {
        server.invoke(name, operation, new Object[0], new String[0]);
    }

    List<BackendView> backends() {
        List<BackendView> views = new ArrayList<>();
        for (ObjectName name : server.queryNames(backends, null)) {
            AttributeList values = attributes(name, BACKEND_ATTRIBUTES);
            if (values == null) {
                continue;
            }
            String id = ObjectName.unquote(name.getKeyProperty("name"));
            int space = id.lastIndexOf(' ');
            views.add(new BackendView(id, space < 0 ? "" : id.substring(0, space), (String) value(values, "Url"),
                    (String) value(values, "State"), (Boolean) value(values, "Healthy"),
                    (String) value(values, "EjectedUntil"), (Integer) value(values, "InFlight"),
                    (Long) value(values, "Requests"), (Long) value(values, "Failures")));
        }
        views.sort(Comparator.comparing(BackendView::id));
        return views;
    }

    List<BreakerView> breakers() {
        List<BreakerView> views = new ArrayList<>();
        for (ObjectName name : server.queryNames(breakers, null)) {
            String breaker = ObjectName.unquote(name.getKeyProperty("name"));
            AttributeList values = attributes(name, BREAKER_ATTRIBUTES);
            if (values == null || ownRoutes.contains(breaker)) {
                continue;
            }
            views.add(new BreakerView(breaker, (String) value(values, "State"), (Float) value(values, "FailureRate"),
                    (Float) value(values, "SlowCallRate"), (Long) value(values, "RejectedCalls"),
                    (String) value(values, "ProbeAllowedAt")));
        }
        views.sort(Comparator.comparing(BreakerView::name));
        return views;
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

    /** The proxy's latency timer of a backend, or {@code null}. */
    Timer backendLatency(BackendView backend) {
        for (MetricId id : catalog.ids()) {
            if (id.family().name().equals(BACKEND_LATENCY) && id.label(Label.PROXY).equals(backend.servlet())
                    && id.label(Label.BACKEND).equals(backend.hostPort())) {
                Metric metric = catalog.metric(id);
                return metric instanceof Timer ? (Timer) metric : null;
            }
        }
        return null;
    }

    /** The attributes in order, or {@code null} when the MBean went away meanwhile. */
    private AttributeList attributes(ObjectName name, String[] attributes) {
        try {
            AttributeList values = server.getAttributes(name, attributes);
            return values.size() == attributes.length ? values : null;
        } catch (InstanceNotFoundException e) {
            return null;
        } catch (JMException e) {
            throw new IllegalStateException("could not read " + name, e);
        }
    }

    private static Object value(AttributeList values, String attribute) {
        for (Attribute value : values.asList()) {
            if (value.getName().equals(attribute)) {
                return value.getValue();
            }
        }
        throw new IllegalStateException("no attribute " + attribute);
    }
}
