package io.breakwater.core.metric;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import com.codahale.metrics.Timer;
import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.ValueParser;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The reservoirs a Breakwater timer can sample its durations into. The default needs no lock per update, unlike
 * Dropwizard's own default ({@link ExponentiallyDecayingReservoir}), which every request would contend on.
 * Immutable and thread-safe.
 */
public enum TimerReservoir {
    /** Forward-decaying priority sample of 1028, biased to the last 5 minutes, updated without a lock. */
    LOCK_FREE_EXPONENTIALLY_DECAYING("lockFreeExponentiallyDecaying",
            () -> LockFreeExponentiallyDecayingReservoir.builder().build()),
    /** Dropwizard's default: the same sample, with a lock taken on every update. */
    EXPONENTIALLY_DECAYING("exponentiallyDecaying", ExponentiallyDecayingReservoir::new),
    /** Every value of the last minute: exact percentiles, memory growing with the request rate. */
    SLIDING_TIME_WINDOW_ARRAY("slidingTimeWindowArray",
            () -> new SlidingTimeWindowArrayReservoir(1, TimeUnit.MINUTES));

    private final String configName;
    private final Supplier<com.codahale.metrics.Reservoir> reservoirs;

    TimerReservoir(String configName, Supplier<com.codahale.metrics.Reservoir> reservoirs) {
        this.configName = configName;
        this.reservoirs = reservoirs;
    }

    /** The word that selects it in configuration. */
    public String configName() {
        return configName;
    }

    /**
     * A supplier of new timers on this reservoir, for
     * {@link MetricRegistry#timer(String, MetricRegistry.MetricSupplier)}.
     */
    public MetricRegistry.MetricSupplier<Timer> timers() {
        return () -> new SummingTimer(reservoirs.get());
    }

    static ValueParser<TimerReservoir> parser() {
        String[] names = Arrays.stream(values()).map(TimerReservoir::configName).toArray(String[]::new);
        ValueParser<String> words = Parsers.choice(names);
        return Parsers.parser(words.accepted(), text -> {
            String word = words.parse(text);
            return Arrays.stream(values()).filter(r -> r.configName.equals(word)).findFirst().orElseThrow();
        });
    }
}
