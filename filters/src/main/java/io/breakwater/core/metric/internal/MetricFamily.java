package io.breakwater.core.metric.internal;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of figure, declared once where it is counted: its name ({@code route_responses}, which Prometheus shows
 * as {@code breakwater_route_responses_total}), its kind, a line of help, its labels and how its registry key is
 * spelled ({@code route.{route}.responses.{class}}, the name in the JSON and in JMX). Declaring one is one line:
 * <pre>{@code static final MetricFamily SHED =
 *     MetricFamily.counter("filter_shed", "Requests shed by the concurrency limit.", "filter.{filter}.shed");}</pre>
 * and counting into it is another: {@code catalog.counter(SHED, "concurrencyLimit").inc()}. Immutable and
 * thread-safe.
 */
public final class MetricFamily {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)\\}");

    /** How a family's figures read and how Prometheus types them. */
    public enum Kind {
        /** Only goes up (a Dropwizard counter, meter, or a gauge of a running count): Prometheus {@code counter}. */
        COUNTER,
        /** Goes up and down: Prometheus {@code gauge}. */
        GAUGE,
        /** Durations in nanoseconds: a summary in seconds, with quantiles, {@code _count} and {@code _sum}. */
        TIMER,
        /** A gauge of a state's ordinal: one Prometheus gauge per state, 1 for the current one, else 0. */
        STATE
    }

    private final String name;
    private final Kind kind;
    private final String help;
    private final String unit;
    private final DoubleUnaryOperator toBase;
    private final List<String> states;
    private final String[] literals;
    private final Label[] labels;

    private MetricFamily(String name, Kind kind, String help, String key, String unit, DoubleUnaryOperator toBase,
            List<String> states) {
        if (!NAME.matcher(name).matches() || name.endsWith("_total")) {
            throw new IllegalArgumentException("not a metric family name: " + name);
        }
        this.name = name;
        this.kind = Objects.requireNonNull(kind);
        this.help = Objects.requireNonNull(help);
        this.unit = unit;
        this.toBase = toBase;
        this.states = List.copyOf(states);
        List<String> parts = new ArrayList<>();
        List<Label> found = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(key);
        int at = 0;
        while (placeholder.find()) {
            parts.add(key.substring(at, placeholder.start()));
            found.add(Label.named(placeholder.group(1)));
            at = placeholder.end();
        }
        parts.add(key.substring(at));
        this.literals = parts.toArray(new String[0]);
        this.labels = found.toArray(new Label[0]);
    }

    /** A count that only goes up. */
    public static MetricFamily counter(String name, String help, String key) {
        return new MetricFamily(name, Kind.COUNTER, help, key, null, DoubleUnaryOperator.identity(), List.of());
    }

    /** A count that only goes up, shown in {@code unit} after {@code toBase} converted it. */
    public static MetricFamily counter(String name, String help, String key, String unit,
            DoubleUnaryOperator toBase) {
        return new MetricFamily(name, Kind.COUNTER, help, key, unit, toBase, List.of());
    }

    /** A count of nanoseconds that only goes up, shown in seconds ({@code name} without the unit). */
    public static MetricFamily nanosCounter(String name, String help, String key) {
        return new MetricFamily(name, Kind.COUNTER, help, key, "seconds", nanos -> nanos / 1e9, List.of());
    }

    /** A value that goes up and down. */
    public static MetricFamily gauge(String name, String help, String key) {
        return new MetricFamily(name, Kind.GAUGE, help, key, null, DoubleUnaryOperator.identity(), List.of());
    }

    /** A value that goes up and down, shown in {@code unit} after {@code toBase} converted it. */
    public static MetricFamily gauge(String name, String help, String key, String unit, DoubleUnaryOperator toBase) {
        return new MetricFamily(name, Kind.GAUGE, help, key, unit, toBase, List.of());
    }

    /** Durations timed in nanoseconds, shown in seconds. */
    public static MetricFamily timer(String name, String help, String key) {
        return new MetricFamily(name, Kind.TIMER, help, key, "seconds", nanos -> nanos / 1e9, List.of());
    }

    /** A state, kept as the ordinal of {@code states} (lower-case names, in ordinal order). */
    public static MetricFamily state(String name, String help, String key, List<String> states) {
        return new MetricFamily(name, Kind.STATE, help, key, null, DoubleUnaryOperator.identity(), states);
    }

    /** The figure of this family with these label values, in the order of the key template's labels. */
    public MetricId id(String... values) {
        if (values.length != labels.length) {
            throw new IllegalArgumentException(name + " takes " + labels.length + " label values, not "
                    + values.length);
        }
        StringBuilder key = new StringBuilder(literals[0]);
        for (int i = 0; i < values.length; i++) {
            key.append(Objects.requireNonNull(values[i])).append(literals[i + 1]);
        }
        return new MetricId(this, values.clone(), key.toString());
    }

    /** The name without prefix or unit, like {@code route_latency}. */
    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public String help() {
        return help;
    }

    /** The base unit the figures are shown in ({@code seconds}), or {@code null}. */
    public String unit() {
        return unit;
    }

    /** A figure as stored turned into the base unit. */
    public double toBase(double stored) {
        return toBase.applyAsDouble(stored);
    }

    /**
     * What a counter or gauge of the registry reads as stored: a count, a gauge's number, 1 or 0 for a boolean
     * gauge, {@code NaN} for a gauge of anything else. Every exporter reads figures through it.
     */
    public static double number(Metric metric) {
        if (metric instanceof Counting) {
            return ((Counting) metric).getCount();
        }
        Object value = ((Gauge<?>) metric).getValue();
        if (value instanceof Boolean) {
            return (Boolean) value ? 1 : 0;
        }
        return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
    }

    /** A {@link Kind#STATE} family's states, by ordinal. */
    public List<String> states() {
        return states;
    }

    /** The labels, in the order {@link #id} takes their values. */
    public List<Label> labels() {
        return List.of(labels);
    }

    /** What it is about, for grouping in JMX: the key's first word, like {@code route} or {@code circuit}. */
    public String group() {
        int dot = literals[0].indexOf('.');
        return dot > 0 ? literals[0].substring(0, dot) : name.substring(0, Math.max(1, name.indexOf('_')));
    }

    @Override
    public String toString() {
        return name;
    }
}
