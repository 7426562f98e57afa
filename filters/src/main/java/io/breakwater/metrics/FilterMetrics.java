package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.DefaultSettableGauge;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SettableGauge;

/**
 * What one Breakwater filter did, under {@code filter.<name>.} in the web app's registry: {@code calls}, its own
 * execution time (downstream work excluded) as {@code ownTimeTotalNanos}, {@code ownTimeMeanNanos} and, over the
 * last one to two minutes, {@code ownTimeMinNanos} and {@code ownTimeMaxNanos}; {@code lastExecution}, the epoch
 * millis of its last call; {@code failures.<class>} by exception type, and named events such as
 * {@code exceptions.<class>} or {@code timeouts}. These exist whether or not {@code MetricsFilter} is registered.
 * A call costs two striped counter increments and a few reads: no timer, whose reservoir and meter every request
 * of every thread would contend on (see BENCHMARKS.md). Thread-safe.
 */
public final class FilterMetrics {
    private final MetricRegistry registry;
    private final String prefix;
    private final Counter calls;
    private final Counter ownTimeTotal;
    private final RecentExtremes ownTimeExtremes;
    private final SettableGauge<Long> lastExecution;

    public FilterMetrics(MetricRegistry registry, String filterName) {
        this.registry = registry;
        this.prefix = "filter." + filterName + ".";
        this.calls = registry.counter(prefix + "calls");
        this.ownTimeTotal = registry.counter(prefix + "ownTimeTotalNanos");
        // gauges held by the registry, not lambdas on this instance: a second instance of the filter, or the next
        // deployment on an app-supplied registry, then updates the gauges that are actually published
        RecentExtremes.Max max = registry.gauge(prefix + "ownTimeMaxNanos",
                () -> new RecentExtremes(System::currentTimeMillis).new Max());
        this.ownTimeExtremes = max.extremes();
        registry.gauge(prefix + "ownTimeMinNanos", () -> ownTimeExtremes.new Min());
        Counter sharedCalls = calls;
        Counter sharedTotal = ownTimeTotal;
        registry.gauge(prefix + "ownTimeMeanNanos", () -> (Gauge<Double>) () -> sharedCalls.getCount() == 0 ? 0.0
                : (double) sharedTotal.getCount() / sharedCalls.getCount());
        this.lastExecution = registry.gauge(prefix + "lastExecution", () -> new DefaultSettableGauge<>(0L));
    }

    /** Records one call and the nanoseconds the filter spent on it itself. */
    public void record(long ownNanos) {
        calls.inc();
        ownTimeTotal.inc(ownNanos);
        long now = System.currentTimeMillis();
        ownTimeExtremes.record(ownNanos, now);
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
