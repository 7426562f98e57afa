package io.breakwater.core.metric.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one Breakwater filter did, labelled with its name: {@link #CALLS}, its own execution time (downstream work
 * excluded) as {@link #OWN_TIME} in total, {@link #OWN_TIME_MEAN} and, over the last one to two minutes,
 * {@link #OWN_TIME_MIN} and {@link #OWN_TIME_MAX}; {@link #LAST_EXECUTION}; {@link #FAILURES} by exception class,
 * and the events each filter declares itself, counted with {@link #counter}. These exist whether or not
 * {@code MetricsFilter} is registered. A call costs two striped counter increments and a few reads, and reads no
 * clock: the filter hands it the {@code System.nanoTime()} it read last; no timer, whose reservoir and meter every
 * request of every thread would contend on (see BENCHMARKS.md). Thread-safe.
 */
public final class FilterMetrics {
    public static final MetricFamily CALLS =
            MetricFamily.counter("filter_calls", "Requests the filter ran for.", "filter.{filter}.calls");
    public static final MetricFamily OWN_TIME = MetricFamily.nanosCounter("filter_own_time",
            "Time the filter spent on its own work, downstream work excluded.", "filter.{filter}.ownTimeTotalNanos");
    public static final MetricFamily OWN_TIME_MEAN = MetricFamily.gauge("filter_own_time_mean",
            "Mean own time of the filter per call.", "filter.{filter}.ownTimeMeanNanos", "seconds", n -> n / 1e9);
    public static final MetricFamily OWN_TIME_MIN = MetricFamily.gauge("filter_own_time_min",
            "Least own time of a call over the last one to two minutes.", "filter.{filter}.ownTimeMinNanos",
            "seconds", n -> n / 1e9);
    public static final MetricFamily OWN_TIME_MAX = MetricFamily.gauge("filter_own_time_max",
            "Most own time of a call over the last one to two minutes.", "filter.{filter}.ownTimeMaxNanos",
            "seconds", n -> n / 1e9);
    public static final MetricFamily LAST_EXECUTION = MetricFamily.gauge("filter_last_execution_timestamp",
            "When the filter last ran, in seconds since the epoch (0 before its first call).",
            "filter.{filter}.lastExecution", "seconds", millis -> millis / 1e3);
    public static final MetricFamily FAILURES = MetricFamily.counter("filter_failures",
            "Failures of the filter's own work, by exception class.", "filter.{filter}.failures.{exception}");
    public static final MetricFamily TIMEOUTS = MetricFamily.counter("filter_timeouts",
            "Requests the filter answered TIMEOUT: past the request's deadline, or past a guarded filter's own.",
            "filter.{filter}.timeouts");
    public static final MetricFamily REJECTIONS = MetricFamily.counter("filter_rejections",
            "Requests answered CIRCUIT_OPEN.", "filter.{filter}.rejections");
    public static final MetricFamily SKIPS = MetricFamily.counter("filter_skips",
            "Requests that bypassed an optional guarded filter while its breaker was open.", "filter.{filter}.skips");
    /** Meters, so that the JSON shows their rates: {@code success} or {@code failure} of the filter's own work. */
    public static final MetricFamily OUTCOMES = MetricFamily.counter("filter_outcomes",
            "Calls of a guarded filter by outcome of its own work.", "filter.{filter}.outcomes.{outcome}");

    /** The labels of the suite's own filters' figures; a guarded filter taking one would share that filter's. */
    public static final String TIMEOUT_FILTER = "timeout";
    public static final String CIRCUIT_BREAKER_FILTER = "circuitBreaker";
    public static final String EXCEPTION_HANDLING_FILTER = "exceptionHandling";
    public static final String METRICS_FILTER = "metrics";
    public static final Set<String> SUITE_FILTERS = Collections.unmodifiableSet(new TreeSet<>(List.of(TIMEOUT_FILTER,
            CIRCUIT_BREAKER_FILTER, ConcurrencyLimitMetrics.FILTER, EXCEPTION_HANDLING_FILTER, METRICS_FILTER)));

    private static final long NANOS_PER_MILLI = 1_000_000;

    private final MetricCatalog catalog;
    private final String filterName;
    private final Counter calls;
    private final Counter ownTimeTotal;
    private final RecentExtremes ownTimeExtremes;
    private final LastExecution lastExecution;

    public FilterMetrics(MetricRegistry registry, String filterName) {
        this.catalog = MetricCatalog.of(registry);
        this.filterName = filterName;
        this.calls = catalog.counter(CALLS, filterName);
        this.ownTimeTotal = catalog.counter(OWN_TIME, filterName);
        // gauges held by the registry, not lambdas on this instance: a second instance of the filter, or the next
        // deployment on an app-supplied registry, then updates the gauges that are actually published
        RecentExtremes.Max max = catalog.gauge(OWN_TIME_MAX,
                () -> new RecentExtremes(FilterMetrics::monotonicMillis).new Max(), filterName);
        this.ownTimeExtremes = max.extremes();
        catalog.gauge(OWN_TIME_MIN, () -> ownTimeExtremes.new Min(), filterName);
        Counter sharedCalls = calls;
        Counter sharedTotal = ownTimeTotal;
        catalog.gauge(OWN_TIME_MEAN, () -> (Gauge<Double>) () -> sharedCalls.getCount() == 0 ? 0.0
                : (double) sharedTotal.getCount() / sharedCalls.getCount(), filterName);
        this.lastExecution = catalog.gauge(LAST_EXECUTION, LastExecution::new, filterName);
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
        counter(FAILURES, failure.getClass().getName()).inc();
    }

    /**
     * The counter of one of the filter's events: a family whose key starts {@code filter.{filter}.}, with the
     * values of its further labels, like {@code counter(EXCEPTIONS, "java.lang.IllegalStateException")}.
     */
    public Counter counter(MetricFamily family, String... moreLabels) {
        return catalog.counter(family, labels(moreLabels));
    }

    /**
     * The gauge of one of the filter's figures, the one already registered if there is one, else the one
     * {@code gauges} makes: {@code gauge(LIMIT, () -> (Gauge<Integer>) limiter::limit)}.
     */
    @SuppressWarnings("rawtypes")
    public <T extends Gauge> T gauge(MetricFamily family, MetricRegistry.MetricSupplier<T> gauges,
            String... moreLabels) {
        return catalog.gauge(family, gauges, labels(moreLabels));
    }

    private String[] labels(String... moreLabels) {
        String[] values = new String[moreLabels.length + 1];
        values[0] = filterName;
        System.arraycopy(moreLabels, 0, values, 1, moreLabels.length);
        return values;
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
