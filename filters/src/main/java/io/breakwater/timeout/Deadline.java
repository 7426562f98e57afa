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

    private final Clock clock;
    private final Instant expiresAt;

    private Deadline(Clock clock, Instant expiresAt) {
        this.clock = clock;
        this.expiresAt = expiresAt;
    }

    /** A deadline {@code timeout} from now on the given clock. */
    public static Deadline after(Duration timeout, Clock clock) {
        return new Deadline(clock, clock.instant().plus(timeout));
    }

    /** The deadline of a request, if a {@code TimeoutFilter} gave it one. */
    public static Optional<Deadline> of(ServletRequest request) {
        Object deadline = request.getAttribute(ATTRIBUTE);
        return deadline instanceof Deadline ? Optional.of((Deadline) deadline) : Optional.empty();
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** The time left, never negative. */
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean isExpired() {
        return !clock.instant().isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "Deadline[" + remaining().toMillis() + "ms left]";
    }
}
