package io.breakwater.core.time;

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

    private final NanoClock clock;
    /** On {@link #clock}. */
    private final long expiresAt;

    private Deadline(NanoClock clock, long expiresAt) {
        this.clock = clock;
        this.expiresAt = expiresAt;
    }

    /** A deadline {@code timeout} from now on the given clock. */
    public static Deadline after(Duration timeout, Clock clock) {
        return after(timeout, NanoClock.of(clock), System.nanoTime());
    }

    /**
     * A deadline {@code timeout} from now on the given clock, for a caller that has just read
     * {@code System.nanoTime()} as {@code nowNanos}: on the system clock, asking the deadline then reads no wall
     * clock and makes no {@code Instant} (every request asks).
     */
    public static Deadline after(Duration timeout, NanoClock clock, long nowNanos) {
        return new Deadline(clock, clock.at(nowNanos) + timeout.toNanos());
    }

    /** The deadline of a request, if a {@code TimeoutFilter} gave it one. */
    public static Optional<Deadline> of(ServletRequest request) {
        Object deadline = request.getAttribute(ATTRIBUTE);
        return deadline instanceof Deadline ? Optional.of((Deadline) deadline) : Optional.empty();
    }

    public Instant expiresAt() {
        return clock.toInstant(expiresAt);
    }

    /** The time left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, expiresAt - clock.now()));
    }

    public boolean isExpired() {
        return clock.now() - expiresAt >= 0;
    }

    @Override
    public String toString() {
        return "Deadline[" + remaining().toMillis() + "ms left]";
    }
}
