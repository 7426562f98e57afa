package io.breakwater.core.metric;

import com.codahale.metrics.Gauge;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The smallest and largest value recorded in the current and the previous minute, as two gauges that read 0 when
 * nothing was recorded in that window. A value that is no new extreme costs two volatile reads, so that every
 * request of every thread can be recorded without the cores fighting over a cache line. Thread-safe.
 */
final class RecentExtremes {
    private static final long WINDOW_MILLIS = 60_000;

    private final LongSupplier clockMillis;
    private final AtomicReference<Window> current;

    RecentExtremes(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        long index = Math.floorDiv(clockMillis.getAsLong(), WINDOW_MILLIS);
        this.current = new AtomicReference<>(new Window(index, null));
    }

    /** Records one value, at {@code nowMillis} (the caller's clock reading, so that it reads the clock once). */
    void record(long value, long nowMillis) {
        Window window = windowAt(Math.floorDiv(nowMillis, WINDOW_MILLIS));
        raise(window.max, value);
        lower(window.min, value);
    }

    /** The largest value of the current and the previous minute; the gauge {@code ownTimeMaxNanos}. */
    final class Max implements Gauge<Long> {
        @Override
        public Long getValue() {
            return extreme(true);
        }

        RecentExtremes extremes() {
            return RecentExtremes.this;
        }
    }

    /** The smallest value of the current and the previous minute; the gauge {@code ownTimeMinNanos}. */
    final class Min implements Gauge<Long> {
        @Override
        public Long getValue() {
            return extreme(false);
        }
    }

    private long extreme(boolean largest) {
        long index = Math.floorDiv(clockMillis.getAsLong(), WINDOW_MILLIS);
        long result = largest ? Long.MIN_VALUE : Long.MAX_VALUE;
        for (Window window = current.get(); window != null; window = window.previous) {
            if (window.index == index || window.index == index - 1) {
                result = largest ? Math.max(result, window.max.get()) : Math.min(result, window.min.get());
            }
        }
        return result == Long.MIN_VALUE || result == Long.MAX_VALUE ? 0L : result;
    }

    private Window windowAt(long index) {
        Window window = current.get();
        while (window.index < index) {
            // only the window just before the new one is kept: the gauges never look further back
            Window previous = window.index == index - 1 ? new Window(window.index, null, window) : null;
            Window next = new Window(index, previous);
            if (current.compareAndSet(window, next)) {
                return next;
            }
            window = current.get();
        }
        return window;
    }

    private static void raise(AtomicLong extreme, long value) {
        long known = extreme.get();
        while (value > known && !extreme.compareAndSet(known, value)) {
            known = extreme.get();
        }
    }

    private static void lower(AtomicLong extreme, long value) {
        long known = extreme.get();
        while (value < known && !extreme.compareAndSet(known, value)) {
            known = extreme.get();
        }
    }

    /** One minute's extremes, and the minute before it (whose own {@code previous} is always null). */
    private static final class Window {
        final long index;
        final Window previous;
        final AtomicLong max;
        final AtomicLong min;

        Window(long index, Window previous) {
            this.index = index;
            this.previous = previous;
            this.max = new AtomicLong(Long.MIN_VALUE);
            this.min = new AtomicLong(Long.MAX_VALUE);
        }

        /** A frozen copy of {@code of}: values recorded into the old window after the switch still count. */
        Window(long index, Window previous, Window of) {
            this.index = index;
            this.previous = previous;
            this.max = of.max;
            this.min = of.min;
        }
    }
}
