package io.breakwater.circuit;

import java.time.Clock;
import java.time.Instant;

/**
 * The breaker's time for timing calls, in nanoseconds. On the system clock it is {@code System.nanoTime()}, so that
 * the filter's own readings serve and a call reads no clock of its own (a read costs as much as the rest of the
 * breaker's bookkeeping, BENCHMARKS.md); on an injected clock it is that clock's instant, so that tests move time.
 * Immutable.
 */
final class CallClock {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** {@code null} on the system clock. */
    private final Clock injected;

    private CallClock(Clock injected) {
        this.injected = injected;
    }

    static CallClock of(Clock clock) {
        return new CallClock(clock.getClass() == Clock.systemUTC().getClass() ? null : clock);
    }

    /** Now, given the {@code System.nanoTime()} the caller has just read. */
    long at(long nanoTime) {
        return injected == null ? nanoTime : nanosOf(injected.instant());
    }

    /** Now, for a caller that has read no clock. */
    long now() {
        return injected == null ? System.nanoTime() : nanosOf(injected.instant());
    }

    private static long nanosOf(Instant instant) {
        return instant.getEpochSecond() * NANOS_PER_SECOND + instant.getNano();
    }
}
