package io.breakwater.micrometer.internal;

import com.codahale.metrics.Metric;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.internal.Label;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.metric.internal.MetricId;
import io.breakwater.core.metric.internal.SummingTimer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Micrometer meters of one figure, made from its {@link MetricFamily} as Breakwater's Prometheus text is: the
 * family's name under {@code breakwater.} in Micrometer's dotted style (each registry's naming convention spells it
 * its way: Prometheus' gives {@code breakwater_route_latency_seconds}), its help as description, its unit as base
 * unit, its labels as tags; a counter as a function counter, a gauge as a gauge, a timer as a function timer
 * (count and total), a state as one gauge per state with tag {@code state}, 1 for the current one. Each meter reads
 * the Dropwizard figure when the registry asks. Stateless and thread-safe.
 */
final class FamilyMeters {
    private static final String PREFIX = "breakwater.";

    private FamilyMeters() {
    }

    static List<Meter> register(MeterRegistry meters, MetricId id, Metric metric) {
        MetricFamily family = id.family();
        String name = PREFIX + family.name().replace('_', '.');
        Tags tags = tags(id);
        switch (family.kind()) {
            case COUNTER:
                return List.of(FunctionCounter.builder(name, metric, m -> family.toBase(MetricFamily.number(m)))
                        .description(family.help()).baseUnit(family.unit()).tags(tags).register(meters));
            case GAUGE:
                return List.of(io.micrometer.core.instrument.Gauge.builder(name, metric,
                                m -> family.toBase(MetricFamily.number(m)))
                        .description(family.help()).baseUnit(family.unit()).tags(tags).register(meters));
            case TIMER:
                Timer timer = (Timer) metric;
                // toBase gives the family's base unit, seconds, as Breakwater's own text shows the sum
                return List.of(FunctionTimer.builder(name, timer, Timer::getCount,
                                t -> family.toBase(totalNanos(t)), TimeUnit.SECONDS)
                        .description(family.help()).tags(tags).register(meters));
            case STATE:
                List<String> states = family.states();
                List<Meter> gauges = new ArrayList<>(states.size());
                for (int state = 0; state < states.size(); state++) {
                    int ordinal = state;
                    gauges.add(io.micrometer.core.instrument.Gauge.builder(name, metric,
                                    m -> (int) MetricFamily.number(m) == ordinal ? 1 : 0)
                            .description(family.help()).tags(tags).tag("state", states.get(state))
                            .register(meters));
                }
                return gauges;
            default:
                throw new IllegalStateException("no meter for " + family.kind());
        }
    }

    private static Tags tags(MetricId id) {
        List<Label> labels = id.family().labels();
        List<String> values = id.values();
        List<Tag> tags = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            tags.add(Tag.of(labels.get(i).label(), values.get(i)));
        }
        return Tags.of(tags);
    }

    private static double totalNanos(Timer timer) {
        return timer instanceof SummingTimer ? ((SummingTimer) timer).totalNanos()
                : timer.getSnapshot().getMean() * timer.getCount(); // a timer the app registered first: an estimate
    }
}
