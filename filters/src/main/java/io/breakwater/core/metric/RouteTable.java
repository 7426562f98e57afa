package io.breakwater.core.metric;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.route.Routes;
import jakarta.servlet.ServletContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes that have metrics, at most {@code maxRoutes} of them besides {@value Routes#UNMATCHED}; requests of
 * any further route share the {@value #OVERFLOW} route, so that no client can grow the registry. Thread-safe.
 */
public final class RouteTable {
    /** The route of requests whose own route came after the table was full. */
    public static final String OVERFLOW = "overflow";
    /** The context attribute where the app's {@code MetricsFilter} keeps its route table. */
    private static final String ATTRIBUTE = "io.breakwater.metrics.routes";
    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

    private final MetricRegistry registry;
    private final int maxRoutes;
    private final ConcurrentMap<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final RouteMetrics unmatched;
    private RouteMetrics overflow;

    /**
     * The web app's table, made on first call and kept in a context attribute, which every Breakwater filter in
     * front of the {@code MetricsFilter} counts answers into.
     */
    public static RouteTable shareIn(ServletContext context, MetricRegistry registry, int maxRoutes) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            RouteTable table = existing instanceof RouteTable ? (RouteTable) existing
                    : new RouteTable(registry, maxRoutes);
            context.setAttribute(ATTRIBUTE, table);
            return table;
        }
    }

    /** The web app's table, or {@code null} when it has none: no {@code MetricsFilter} counts its routes. */
    public static RouteTable in(ServletContext context) {
        Object table = context.getAttribute(ATTRIBUTE);
        return table instanceof RouteTable ? (RouteTable) table : null;
    }

    /** Takes the table out of the web app, unless another has replaced it there. */
    public void leave(ServletContext context) {
        synchronized (context) {
            if (context.getAttribute(ATTRIBUTE) == this) {
                context.removeAttribute(ATTRIBUTE);
            }
        }
    }

    RouteTable(MetricRegistry registry, int maxRoutes) {
        this.registry = registry;
        this.maxRoutes = maxRoutes;
        this.unmatched = new RouteMetrics(registry, Routes.UNMATCHED);
    }

    /** The metrics of a route; a route past {@code maxRoutes} gets the overflow route's. */
    public RouteMetrics of(String route) {
        RouteMetrics metrics = routes.get(route);
        if (metrics != null) {
            return metrics;
        }
        if (route.equals(Routes.UNMATCHED)) {
            return unmatched;
        }
        return add(route);
    }

    private synchronized RouteMetrics add(String route) {
        RouteMetrics metrics = routes.get(route);
        if (metrics != null) {
            return metrics;
        }
        if (routes.size() >= maxRoutes) {
            if (overflow == null) {
                LOG.warn("more than {} routes; route {} and any further ones are counted as route {}",
                        maxRoutes, route, OVERFLOW);
                overflow = new RouteMetrics(registry, OVERFLOW);
            }
            return overflow;
        }
        metrics = new RouteMetrics(registry, route);
        routes.put(route, metrics);
        return metrics;
    }
}
