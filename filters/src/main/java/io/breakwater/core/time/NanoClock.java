package io.breakwater.core.time;

import java.time.Clock;
import java.time.Instant;

/**
 * A clock read in nanoseconds, for deadlines and call durations. On the system clock it is {@code System.nanoTime()},
 * so that a filter's own readings serve and nothing reads the clock again (a read costs as much as the rest of a
 * breaker's bookkeeping, BENCHMARKS.md), and a wall-clock jump moves nothing; on an injected clock it is that clock's
 * instant in nanoseconds since the epoch, so that tests move time. Immutable and thread-safe.
 */
public final class NanoClock {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** {@code null} on the system clock. */
    private final Clock injected;

    private NanoClock(Clock injected) {
        this.injected = injected;
    }

    public static NanoClock of(Clock clock) {
        return new NanoClock(clock.getClass() == Clock.systemUTC().getClass() ? null : clock);
    }

    /** Now, given the {@code System.nanoTime()} the caller has just read. */
    public long at(long nanoTime) {
        return injected == null ? nanoTime : nanosOf(injected.instant());
    }

    /** Now, for a caller that has read no clock. */
    public long now() {
        return injected == null ? System.nanoTime() : nanosOf(injected.instant());
    }

    /** The instant of a reading of this clock. */
    Instant toInstant(long nanos) {
        return injected == null ? Instant.now().plusNanos(nanos - System.nanoTime()) : Instant.ofEpochSecond(0, nanos);
    }

    private static long nanosOf(Instant instant) {
        return instant.getEpochSecond() * NANOS_PER_SECOND + instant.getNano();
    }
}
