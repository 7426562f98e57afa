package io.breakwater.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes a registry in Prometheus' text exposition format 0.0.4, with Breakwater's names turned into families and
 * labels: {@code route./orders/*.latency} becomes {@code breakwater_route_latency_seconds{route="/orders/*"}},
 * {@code route.<r>.responses.2xx} {@code breakwater_route_responses_total{route="<r>",class="2xx"}},
 * {@code filter.<f>.exceptions.<class>} {@code breakwater_filter_exceptions{filter="<f>",exception="<class>"}},
 * other {@code filter.<f>.<x>} {@code breakwater_filter_<x>{filter="<f>"}}. Counters (which Dropwizard lets go
 * down) are gauges, meters counters, timers summaries in seconds. Stateless and thread-safe.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final String[] QUANTILES = {"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"};

    private PrometheusText() {
    }

    static String write(MetricRegistry registry) {
        Map<String, Family> families = new TreeMap<>();
        registry.getGauges().forEach((name, gauge) -> gauge(families, name, gauge));
        registry.getCounters().forEach((name, counter) -> counter(families, name, counter));
        registry.getHistograms().forEach((name, histogram) -> histogram(families, name, histogram));
        registry.getMeters().forEach((name, meter) -> meter(families, name, meter));
        registry.getTimers().forEach((name, timer) -> timer(families, name, timer));
        StringBuilder out = new StringBuilder(8192);
        for (Map.Entry<String, Family> family : families.entrySet()) {
            out.append("# TYPE ").append(family.getKey()).append(' ').append(family.getValue().type).append('\n');
            family.getValue().samples.forEach(sample -> out.append(sample).append('\n'));
        }
        return out.toString();
    }

    private static void gauge(Map<String, Family> families, String name, Gauge<?> gauge) {
        Object value;
        try {
            value = gauge.getValue();
        } catch (RuntimeException e) {
            return;
        }
        if (value instanceof Number) {
            Name parsed = Name.of(name);
            family(families, parsed.family, "gauge").add(parsed.family, parsed.labels, ((Number) value).doubleValue());
        } else if (value instanceof Boolean) {
            Name parsed = Name.of(name);
            family(families, parsed.family, "gauge").add(parsed.family, parsed.labels, (Boolean) value ? 1 : 0);
        }
    }

    private static void counter(Map<String, Family> families, String name, Counter counter) {
        Name parsed = Name.of(name);
        family(families, parsed.family, "gauge").add(parsed.family, parsed.labels, counter.getCount());
    }

    private static void meter(Map<String, Family> families, String name, Meter meter) {
        Name parsed = Name.of(name);
        String family = parsed.family + "_total";
        family(families, family, "counter").add(family, parsed.labels, meter.getCount());
    }

    private static void histogram(Map<String, Family> families, String name, Histogram histogram) {
        Name parsed = Name.of(name);
        summary(family(families, parsed.family, "summary"), parsed.family, parsed.labels, histogram.getSnapshot(),
                histogram.getCount(), 1);
    }

    private static void timer(Map<String, Family> families, String name, Timer timer) {
        Name parsed = Name.of(name);
        String family = parsed.family + "_seconds";
        summary(family(families, family, "summary"), family, parsed.labels, timer.getSnapshot(), timer.getCount(),
                NANOS_PER_SECOND);
    }

    private static void summary(Family family, String name, String labels, Snapshot snapshot, long count,
            double divisor) {
        double[] values = {snapshot.getMedian(), snapshot.get75thPercentile(), snapshot.get95thPercentile(),
            snapshot.get98thPercentile(), snapshot.get99thPercentile(), snapshot.get999thPercentile()};
        for (int i = 0; i < QUANTILES.length; i++) {
            String quantile = "quantile=\"" + QUANTILES[i] + "\"";
            family.add(name, labels.isEmpty() ? quantile : labels + "," + quantile, values[i] / divisor);
        }
        family.add(name + "_count", labels, count);
    }

    private static Family family(Map<String, Family> families, String name, String type) {
        return families.computeIfAbsent(name, n -> new Family(type));
    }

    /** One metric family: its type and its sample lines, which the format wants together. */
    private static final class Family {
        final String type;
        final List<String> samples = new ArrayList<>();

        Family(String type) {
            this.type = type;
        }

        void add(String name, String labels, double value) {
            StringBuilder line = new StringBuilder(name);
            if (!labels.isEmpty()) {
                line.append('{').append(labels).append('}');
            }
            line.append(' ');
            if (Double.isNaN(value)) {
                line.append("NaN");
            } else if (Double.isInfinite(value)) {
                line.append(value > 0 ? "+Inf" : "-Inf");
            } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                line.append((long) value);
            } else {
                line.append(value);
            }
            samples.add(line.toString());
        }
    }

    /** A dotted Breakwater metric name as a Prometheus family name and labels. */
    static final class Name {
        final String family;
        final String labels;

        private Name(String family, String labels) {
            this.family = family;
            this.labels = labels;
        }

        static Name of(String name) {
            if (name.startsWith(RouteMetrics.PREFIX)) {
                String rest = name.substring(RouteMetrics.PREFIX.length());
                int responses = rest.lastIndexOf(RouteMetrics.RESPONSES);
                if (responses > 0) {
                    return new Name("breakwater_route_responses", label("route", rest.substring(0, responses))
                            + "," + label("class", rest.substring(responses + RouteMetrics.RESPONSES.length())));
                }
                for (String suffix : new String[] {RouteMetrics.LATENCY, RouteMetrics.ACTIVE}) {
                    if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                        return new Name("breakwater_route_" + suffix.substring(1),
                                label("route", rest.substring(0, rest.length() - suffix.length())));
                    }
                }
            }
            if (name.startsWith("filter.")) {
                String rest = name.substring("filter.".length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    String filter = label("filter", rest.substring(0, dot));
                    String what = rest.substring(dot + 1);
                    for (String byClass : new String[] {"exceptions.", "failures."}) {
                        if (what.startsWith(byClass) && what.length() > byClass.length()) {
                            return new Name("breakwater_filter_" + byClass.substring(0, byClass.length() - 1),
                                    filter + "," + label("exception", what.substring(byClass.length())));
                        }
                    }
                    return new Name("breakwater_filter_" + sanitize(what), filter);
                }
            }
            return new Name("breakwater_" + sanitize(name), "");
        }

        private static String label(String name, String value) {
            return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        }

        private static String sanitize(String name) {
            return name.replaceAll("[^A-Za-z0-9_]", "_");
        }
    }
}
