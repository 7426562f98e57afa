package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.TimeUnit;

/**
 * One route's figures, under {@code route.<route>.} in the web app's registry: {@code latency}, a timer of every
 * finished request (its count is the route's requests), {@code responses.1xx} to {@code responses.5xx}, meters
 * per status class, and {@code active}, the requests under way. Thread-safe.
 */
final class RouteMetrics {
    static final String PREFIX = "route.";
    static final String LATENCY = ".latency";
    static final String ACTIVE = ".active";
    static final String RESPONSES = ".responses.";

    private final Timer latency;
    private final Meter[] responses = new Meter[5];
    private final Counter active;

    RouteMetrics(MetricRegistry registry, String route) {
        String prefix = PREFIX + route;
        this.latency = registry.timer(prefix + LATENCY, BreakwaterMetrics.timers(registry));
        for (int statusClass = 1; statusClass <= 5; statusClass++) {
            responses[statusClass - 1] = registry.meter(prefix + RESPONSES + statusClass + "xx");
        }
        this.active = registry.counter(prefix + ACTIVE);
    }

    void started() {
        active.inc();
    }

    /** Records a finished request: its whole duration and the status it was answered with. */
    void finished(long nanos, int status) {
        latency.update(nanos, TimeUnit.NANOSECONDS);
        int statusClass = status / 100;
        if (statusClass >= 1 && statusClass <= 5) {
            responses[statusClass - 1].mark();
        }
        active.dec();
    }
}
