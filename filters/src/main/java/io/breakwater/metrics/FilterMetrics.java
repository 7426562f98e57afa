package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;

/**
 * What one Breakwater filter did, under {@code filter.<name>.} in the web app's registry: {@code calls}, its own
 * execution time (downstream work excluded) as {@code ownTimeTotalNanos}, {@code ownTimeMeanNanos} and, over the
 * last one to two minutes, {@code ownTimeMinNanos} and {@code ownTimeMaxNanos}; {@code lastExecution}, the epoch
 * millis of its last call; {@code failures.<class>} by exception type, and named events such as
 * {@code exceptions.<class>} or {@code timeouts}. These exist whether or not {@code MetricsFilter} is registered.
 * A call costs two striped counter increments and a few reads, and reads no clock: the filter hands it the
 * {@code System.nanoTime()} it read last; no timer, whose reservoir and meter every request of every thread would
 * contend on (see BENCHMARKS.md). Thread-safe.
 */
public final class FilterMetrics {
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final MetricRegistry registry;
    private final String prefix;
    private final Counter calls;
    private final Counter ownTimeTotal;
    private final RecentExtremes ownTimeExtremes;
    private final LastExecution lastExecution;

    public FilterMetrics(MetricRegistry registry, String filterName) {
        this.registry = registry;
        this.prefix = "filter." + filterName + ".";
        this.calls = registry.counter(prefix + "calls");
        this.ownTimeTotal = registry.counter(prefix + "ownTimeTotalNanos");
        // gauges held by the registry, not lambdas on this instance: a second instance of the filter, or the next
        // deployment on an app-supplied registry, then updates the gauges that are actually published
        RecentExtremes.Max max = registry.gauge(prefix + "ownTimeMaxNanos",
                () -> new RecentExtremes(FilterMetrics::monotonicMillis).new Max());
        this.ownTimeExtremes = max.extremes();
        registry.gauge(prefix + "ownTimeMinNanos", () -> ownTimeExtremes.new Min());
        Counter sharedCalls = calls;
        Counter sharedTotal = ownTimeTotal;
        registry.gauge(prefix + "ownTimeMeanNanos", () -> (Gauge<Double>) () -> sharedCalls.getCount() == 0 ? 0.0
                : (double) sharedTotal.getCount() / sharedCalls.getCount());
        this.lastExecution = registry.gauge(prefix + "lastExecution", LastExecution::new);
    }

    /**
     * Records one call: the nanoseconds the filter spent on it itself, and {@code endNanos}, the
     * {@code System.nanoTime()} the filter read when its work ended (a clock read costs as much as the rest of
     * this method, so the call does not read one of its own).
     */
    public void record(long ownNanos, long endNanos) {
        calls.inc();
        ownTimeTotal.inc(ownNanos);
        long now = Math.floorDiv(endNanos, NANOS_PER_MILLI);
        ownTimeExtremes.record(ownNanos, now);
        lastExecution.at(now);
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

    private static long monotonicMillis() {
        return Math.floorDiv(System.nanoTime(), NANOS_PER_MILLI);
    }

    /**
     * The gauge {@code lastExecution}: the epoch millis of the last call, 0 before the first. It keeps the call's
     * monotonic millisecond and turns it into wall time when read, so that a call reads no wall clock; every
     * request of every thread passes here, so the shared value is written only when the millisecond changed and
     * the cores do not fight over its cache line.
     */
    static final class LastExecution implements Gauge<Long> {
        private volatile long lastMillis = Long.MIN_VALUE;

        void at(long monotonicMillis) {
            if (lastMillis != monotonicMillis) {
                lastMillis = monotonicMillis;
            }
        }

        @Override
        public Long getValue() {
            long last = lastMillis;
            return last == Long.MIN_VALUE ? 0L : System.currentTimeMillis() - (monotonicMillis() - last);
        }
    }
}
