package io.breakwater.core.metric;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.TimeUnit;

/**
 * One route's figures in the web app's registry: {@link #LATENCY}, a timer of every answer (its count is the
 * route's requests), {@link #RESPONSES} per status class, and {@link #ACTIVE}, the requests under way.
 * Thread-safe.
 */
public final class RouteMetrics {
    public static final MetricFamily LATENCY = MetricFamily.timer("route_latency",
            "Time from a request's arrival to its answer, every answer on the route counted.", "route.{route}.latency");
    public static final MetricFamily RESPONSES = MetricFamily.counter("route_responses",
            "Answers the clients got on the route, by status class.", "route.{route}.responses.{class}");
    public static final MetricFamily ACTIVE = MetricFamily.gauge("route_active",
            "Requests on the route not answered yet.", "route.{route}.active");
    /** Counted by the timeout filter; declared with the route's other figures, which the status page reads. */
    public static final MetricFamily TIMEOUTS = MetricFamily.counter("route_timeouts",
            "Requests of the route answered TIMEOUT.", "route.{route}.timeouts");
    /** Counted by the concurrency limit, read by the status page. */
    public static final MetricFamily SHED = MetricFamily.counter("route_shed",
            "Requests of the route shed with OVERLOADED.", "route.{route}.shed");

    private final Timer latency;
    private final Meter[] responses = new Meter[5];
    private final Counter active;

    RouteMetrics(MetricRegistry registry, String route) {
        MetricCatalog catalog = MetricCatalog.of(registry);
        this.latency = catalog.timer(LATENCY, BreakwaterMetrics.timers(registry), route);
        for (int statusClass = 1; statusClass <= 5; statusClass++) {
            responses[statusClass - 1] = catalog.meter(RESPONSES, route, statusClass + "xx");
        }
        this.active = catalog.counter(ACTIVE, route);
    }

    /** Records a request that began; {@link #finished} follows once. */
    public void started() {
        active.inc();
    }

    /** Records a finished request: its whole duration and the status it was answered with. */
    public void finished(long nanos, int status) {
        latency.update(nanos, TimeUnit.NANOSECONDS);
        int statusClass = status / 100;
        if (statusClass >= 1 && statusClass <= 5) {
            responses[statusClass - 1].mark();
        }
        active.dec();
    }
}
