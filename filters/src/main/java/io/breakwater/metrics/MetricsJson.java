package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metered;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.breakwater.core.json.Json;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Writes a registry as JSON in the shape of Dropwizard's {@code metrics-json} ({@code gauges}, {@code counters},
 * {@code histograms}, {@code meters}, {@code timers}; rates per second, durations in milliseconds), so that tools
 * reading Dropwizard's servlet read this one too. Stateless and thread-safe.
 */
final class MetricsJson {
    private static final double NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private MetricsJson() {
    }

    static String write(MetricRegistry registry) {
        StringBuilder out = new StringBuilder(4096);
        out.append("{\"version\":\"4.0.0\",\"gauges\":");
        section(out, registry.getGauges(), (json, gauge) -> gauge(json, gauge));
        out.append(",\"counters\":");
        section(out, registry.getCounters(), (json, counter) -> counter(json, counter));
        out.append(",\"histograms\":");
        section(out, registry.getHistograms(), (json, histogram) -> histogram(json, histogram));
        out.append(",\"meters\":");
        section(out, registry.getMeters(), (json, meter) -> meter(json, meter));
        out.append(",\"timers\":");
        section(out, registry.getTimers(), (json, timer) -> timer(json, timer));
        return out.append('}').toString();
    }

    private static <M> void section(StringBuilder out, SortedMap<String, M> metrics,
            BiConsumer<StringBuilder, M> writer) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, M> entry : metrics.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.string(out, entry.getKey());
            out.append(":{");
            writer.accept(out, entry.getValue());
            out.append('}');
        }
        out.append('}');
    }

    private static void gauge(StringBuilder out, Gauge<?> gauge) {
        out.append("\"value\":");
        Object value;
        try {
            value = gauge.getValue();
        } catch (RuntimeException e) {
            // one broken gauge of the app must not hide every other figure
            value = null;
        }
        if (value instanceof Number) {
            number(out, ((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            out.append(value);
        } else {
            Json.string(out, value == null ? null : value.toString());
        }
    }

    private static void counter(StringBuilder out, Counter counter) {
        out.append("\"count\":").append(counter.getCount());
    }

    private static void histogram(StringBuilder out, Histogram histogram) {
        out.append("\"count\":").append(histogram.getCount());
        snapshot(out, histogram.getSnapshot(), 1);
    }

    private static void meter(StringBuilder out, Meter meter) {
        out.append("\"count\":").append(meter.getCount());
        rates(out, meter);
        out.append(",\"units\":\"events/second\"");
    }

    private static void timer(StringBuilder out, Timer timer) {
        out.append("\"count\":").append(timer.getCount());
        snapshot(out, timer.getSnapshot(), NANOS_PER_MILLI);
        rates(out, timer);
        out.append(",\"duration_units\":\"milliseconds\",\"rate_units\":\"calls/second\"");
    }

    private static void snapshot(StringBuilder out, Snapshot snapshot, double divisor) {
        field(out, "max", snapshot.getMax() / divisor);
        field(out, "mean", snapshot.getMean() / divisor);
        field(out, "min", snapshot.getMin() / divisor);
        field(out, "p50", snapshot.getMedian() / divisor);
        field(out, "p75", snapshot.get75thPercentile() / divisor);
        field(out, "p95", snapshot.get95thPercentile() / divisor);
        field(out, "p98", snapshot.get98thPercentile() / divisor);
        field(out, "p99", snapshot.get99thPercentile() / divisor);
        field(out, "p999", snapshot.get999thPercentile() / divisor);
        field(out, "stddev", snapshot.getStdDev() / divisor);
    }

    private static void rates(StringBuilder out, Metered metered) {
        field(out, "m15_rate", metered.getFifteenMinuteRate());
        field(out, "m1_rate", metered.getOneMinuteRate());
        field(out, "m5_rate", metered.getFiveMinuteRate());
        field(out, "mean_rate", metered.getMeanRate());
    }

    private static void field(StringBuilder out, String name, double value) {
        out.append(",\"").append(name).append("\":");
        number(out, value);
    }

    /** JSON has no NaN or infinity: those are written as {@code null}. */
    private static void number(StringBuilder out, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
    }
}
