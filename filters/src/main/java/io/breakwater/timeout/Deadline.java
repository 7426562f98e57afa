package io.breakwater.timeout;

import jakarta.servlet.ServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The moment by which a request must be answered, set by {@code TimeoutFilter} in request attribute
 * {@value #ATTRIBUTE} so that downstream code (the proxy's backend calls among it) bounds its own work by the
 * time remaining. Immutable and thread-safe.
 */
public final class Deadline {
    public static final String ATTRIBUTE = "io.breakwater.deadline";

    /** The injected clock the deadline is kept on, or {@code null} for the system clock. */
    private final Clock clock;
    /** On {@link #clock}, when there is one. */
    private final Instant expiresAt;
    /** On {@code System.nanoTime()}, when the clock is the system's. */
    private final long expiresAtNanos;

    private Deadline(Clock clock, Instant expiresAt, long expiresAtNanos) {
        this.clock = clock;
        this.expiresAt = expiresAt;
        this.expiresAtNanos = expiresAtNanos;
    }

    /** A deadline {@code timeout} from now on the given clock. */
    public static Deadline after(Duration timeout, Clock clock) {
        return after(timeout, clock, System.nanoTime());
    }

    /**
     * A deadline {@code timeout} from now on the given clock, for a caller that has just read
     * {@code System.nanoTime()} as {@code nowNanos}. On the system clock the deadline is kept on
     * {@code System.nanoTime()}: asking it reads no wall clock and makes no {@code Instant} (every request asks),
     * and it never moves when the wall clock is set.
     */
    public static Deadline after(Duration timeout, Clock clock, long nowNanos) {
        if (clock.getClass() == Clock.systemUTC().getClass()) {
            return new Deadline(null, null, nowNanos + timeout.toNanos());
        }
        return new Deadline(clock, clock.instant().plus(timeout), 0);
    }

    /** The deadline of a request, if a {@code TimeoutFilter} gave it one. */
    public static Optional<Deadline> of(ServletRequest request) {
        Object deadline = request.getAttribute(ATTRIBUTE);
        return deadline instanceof Deadline ? Optional.of((Deadline) deadline) : Optional.empty();
    }

    public Instant expiresAt() {
        return clock == null ? Instant.now().plusNanos(expiresAtNanos - System.nanoTime()) : expiresAt;
    }

    /** The time left, never negative. */
    public Duration remaining() {
        Duration left = clock == null ? Duration.ofNanos(expiresAtNanos - System.nanoTime())
                : Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean isExpired() {
        return clock == null ? System.nanoTime() - expiresAtNanos >= 0 : !clock.instant().isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "Deadline[" + remaining().toMillis() + "ms left]";
    }
}
