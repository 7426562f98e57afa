package io.breakwater.metrics.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.internal.Label;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.metric.internal.MetricId;
import io.breakwater.core.metric.internal.SummingTimer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;

/**
 * The registry in Prometheus' text format (0.0.4) or OpenMetrics, written by Prometheus' own exposition library
 * from the {@link MetricCatalog}: each {@link MetricFamily} is one family {@code breakwater_<name>} with its labels,
 * counters typed {@code counter} with {@code _total}, times in seconds, timers as summaries with quantiles,
 * {@code _count} and {@code _sum}, a state as one gauge per state. A metric the app registered itself is shown as
 * {@code breakwater_app_<its key>}. Stateless and thread-safe.
 */
public final class PrometheusText {
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};
    private static final String PREFIX = "breakwater_";

    private PrometheusText() {
    }

    /** The writer for a scraper's {@code Accept} header: OpenMetrics when it asks for it, else the text format. */
    public static ExpositionFormatWriter writerFor(String accept) {
        OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
        return accept != null && openMetrics.accepts(accept) ? openMetrics : PrometheusTextFormatWriter.create();
    }

    public static void write(OutputStream out, ExpositionFormatWriter writer, MetricRegistry registry)
            throws IOException {
        writer.write(out, snapshots(registry), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    static MetricSnapshots snapshots(MetricRegistry registry) {
        MetricCatalog catalog = MetricCatalog.of(registry);
        Map<String, Family> families = new TreeMap<>();
        // in the keys' order, so that two keys of the app that sanitise alike get the same names on every scrape
        for (Map.Entry<String, Metric> entry : new TreeMap<>(registry.getMetrics()).entrySet()) {
            MetricId id = catalog.idOf(entry.getKey());
            try {
                if (id != null) {
                    declared(families, id, entry.getValue());
                } else {
                    own(families, entry.getKey(), entry.getValue());
                }
            } catch (RuntimeException brokenGauge) {
                // one broken gauge of the app must not hide every other figure
            }
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        families.values().forEach(family -> snapshots.add(family.snapshot()));
        return new MetricSnapshots(snapshots);
    }

    private static void declared(Map<String, Family> families, MetricId id, Metric metric) {
        MetricFamily declared = id.family();
        String name = PREFIX + declared.name();
        if (declared.unit() != null && !name.endsWith("_" + declared.unit())) {
            name += "_" + declared.unit();
        }
        List<Label> labels = declared.labels();
        String[] names = new String[labels.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels.get(i).label();
        }
        Labels values = Labels.of(names, id.values().toArray(new String[0]));
        Family family = families.computeIfAbsent(name,
                n -> new Family(n, declared.kind(), declared.help(), declared.unit()));
        switch (declared.kind()) {
            case COUNTER:
                family.counter(values, declared.toBase(MetricFamily.number(metric)));
                break;
            case GAUGE:
                family.gauge(values, declared.toBase(MetricFamily.number(metric)));
                break;
            case TIMER:
                family.summary(values, (Timer) metric, declared::toBase);
                break;
            case STATE:
                int current = (int) MetricFamily.number(metric);
                List<String> states = declared.states();
                for (int state = 0; state < states.size(); state++) {
                    family.gauge(values.add("state", states.get(state)), state == current ? 1 : 0);
                }
                break;
            default:
                throw new IllegalStateException("no view of " + declared.kind());
        }
    }

    /** The app's own metric, typed by what Dropwizard says it is (a Dropwizard counter may go down: a gauge). */
    private static void own(Map<String, Family> families, String key, Metric metric) {
        String name = PREFIX + "app_" + key.replaceAll("[^A-Za-z0-9_]", "_");
        if (families.containsKey(name) || families.containsKey(name + "_seconds")) {
            // another key read the same once sanitised: this one gets a stable suffix of its own
            name += "_" + Integer.toUnsignedString(key.hashCode(), 36);
        }
        String help = "The app's own metric " + key + ".";
        if (metric instanceof Meter) {
            own(families, name, MetricFamily.Kind.COUNTER, help, null)
                    .counter(Labels.EMPTY, ((Meter) metric).getCount());
        } else if (metric instanceof Timer) {
            own(families, name + "_seconds", MetricFamily.Kind.TIMER, help, "seconds")
                    .summary(Labels.EMPTY, (Timer) metric, nanos -> nanos / 1e9);
        } else if (metric instanceof Histogram) {
            Histogram histogram = (Histogram) metric;
            Snapshot snapshot = histogram.getSnapshot();
            own(families, name, MetricFamily.Kind.TIMER, help, null).summary(Labels.EMPTY, histogram.getCount(),
                    snapshot.getMean() * histogram.getCount(), snapshot, value -> value);
        } else if (metric instanceof Counter || metric instanceof Gauge
                && ((Gauge<?>) metric).getValue() instanceof Number) {
            own(families, name, MetricFamily.Kind.GAUGE, help, null).gauge(Labels.EMPTY, MetricFamily.number(metric));
        }
    }

    private static Family own(Map<String, Family> families, String name, MetricFamily.Kind kind, String help,
            String unit) {
        Family family = new Family(name, kind, help, unit);
        families.put(name, family);
        return family;
    }

    /** One family's points while they are gathered; the model wants them together. */
    private static final class Family {
        final String name;
        final MetricFamily.Kind kind;
        final String help;
        final Unit unit;
        final List<CounterDataPointSnapshot> counters = new ArrayList<>();
        final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
        final List<SummaryDataPointSnapshot> summaries = new ArrayList<>();

        Family(String name, MetricFamily.Kind kind, String help, String unit) {
            this.name = name;
            this.kind = kind;
            this.help = help;
            this.unit = unit == null ? null : new Unit(unit);
        }

        void counter(Labels labels, double value) {
            counters.add(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void gauge(Labels labels, double value) {
            gauges.add(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void summary(Labels labels, Timer timer, DoubleUnaryOperator toBase) {
            Snapshot snapshot = timer.getSnapshot();
            long count = timer.getCount();
            double sumNanos = timer instanceof SummingTimer ? ((SummingTimer) timer).totalNanos()
                    : snapshot.getMean() * count; // a timer the app registered first: the best estimate it has
            summary(labels, count, toBase.applyAsDouble(sumNanos), snapshot, toBase);
        }

        void summary(Labels labels, long count, double sum, Snapshot snapshot, DoubleUnaryOperator toBase) {
            Quantiles.Builder quantiles = Quantiles.builder();
            for (double quantile : QUANTILES) {
                quantiles.quantile(new Quantile(quantile, toBase.applyAsDouble(snapshot.getValue(quantile))));
            }
            summaries.add(SummaryDataPointSnapshot.builder().labels(labels).count(count).sum(sum)
                    .quantiles(quantiles.build()).build());
        }

        MetricSnapshot snapshot() {
            switch (kind) {
                case COUNTER:
                    CounterSnapshot.Builder counter = CounterSnapshot.builder().name(name).help(help).unit(unit);
                    counters.forEach(counter::dataPoint);
                    return counter.build();
                case TIMER:
                    SummarySnapshot.Builder summary = SummarySnapshot.builder().name(name).help(help).unit(unit);
                    summaries.forEach(summary::dataPoint);
                    return summary.build();
                default:
                    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help).unit(unit);
                    gauges.forEach(gauge::dataPoint);
                    return gauge.build();
            }
        }
    }
}
