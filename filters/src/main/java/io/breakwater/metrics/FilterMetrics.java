package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.DefaultSettableGauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SettableGauge;
import com.codahale.metrics.Timer;
import java.util.concurrent.TimeUnit;

/**
 * What one Breakwater filter did, under {@code filter.<name>.} in the web app's registry: {@code ownTime}, a
 * timer of its calls and its own execution time (downstream work excluded: count, min, max, mean, percentiles),
 * {@code ownTimeTotalNanos}, the sum of that time, {@code lastExecution}, the epoch millis of its last call,
 * {@code failures.<class>} by exception type, and named events such as {@code exceptions.<class>} or
 * {@code timeouts}. These exist whether or not {@code MetricsFilter} is registered. Thread-safe.
 */
public final class FilterMetrics {
    private final MetricRegistry registry;
    private final String prefix;
    private final Timer ownTime;
    private final Counter ownTimeTotal;
    private final SettableGauge<Long> lastExecution;

    public FilterMetrics(MetricRegistry registry, String filterName) {
        this.registry = registry;
        this.prefix = "filter." + filterName + ".";
        this.ownTime = registry.timer(prefix + "ownTime", BreakwaterMetrics.timers(registry));
        this.ownTimeTotal = registry.counter(prefix + "ownTimeTotalNanos");
        // a settable gauge held by the registry, not a lambda on this instance: a second instance of the filter,
        // or the next deployment on an app-supplied registry, then updates the gauge that is actually published
        this.lastExecution = registry.gauge(prefix + "lastExecution", () -> new DefaultSettableGauge<>(0L));
    }

    /** Records one call and the nanoseconds the filter spent on it itself. */
    public void record(long ownNanos) {
        ownTime.update(ownNanos, TimeUnit.NANOSECONDS);
        ownTimeTotal.inc(ownNanos);
        long now = System.currentTimeMillis();
        // every request of every thread passes here: write the shared value only when the millisecond changed,
        // so that the cores do not fight over its cache line
        if (lastExecution.getValue() != now) {
            lastExecution.setValue(now);
        }
    }

    /** Counts a failure of the filter's own work by exception class. */
    public void failure(Throwable failure) {
        event("failures." + failure.getClass().getName());
    }

    /** Counts one named event, like {@code exceptions.java.lang.IllegalStateException}. */
    public void event(String name) {
        counter(name).inc();
    }

    /** The counter of a named event, for callers that count it often. */
    public Counter counter(String name) {
        return registry.counter(prefix + name);
    }
}
