package io.breakwater.core.metric.internal;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard timer that also sums what it timed, so that a summary can give its {@code _sum} (Dropwizard's own
 * timer keeps only a reservoir of samples). The sum is a striped adder: one more uncontended add per update.
 * Thread-safe.
 */
public final class SummingTimer extends Timer {
    private final LongAdder totalNanos = new LongAdder();

    public SummingTimer(Reservoir reservoir) {
        super(reservoir);
    }

    @Override
    public void update(long duration, TimeUnit unit) {
        long nanos = unit.toNanos(duration);
        if (nanos >= 0) {
            totalNanos.add(nanos);
        }
        super.update(duration, unit);
    }

    @Override
    public void update(Duration duration) {
        update(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The sum of every duration timed, in nanoseconds. */
    public long totalNanos() {
        return totalNanos.sum();
    }
}
