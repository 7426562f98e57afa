package io.breakwater.core.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void onTheSystemClockItCountsDownFromTheCallersReading() {
        long now = System.nanoTime();
        Instant wallBefore = Instant.now();
        Deadline deadline = Deadline.after(Duration.ofHours(1), NanoClock.of(Clock.systemUTC()), now);
        Instant wallAfter = Instant.now();

        assertFalse(deadline.isExpired());
        Duration left = deadline.remaining();
        assertTrue(left.compareTo(Duration.ofHours(1)) <= 0, "at most the timeout left: " + left);
        assertTrue(left.compareTo(Duration.ofMinutes(59)) > 0, "nearly all of it left: " + left);
        Instant expiresAt = deadline.expiresAt();
        assertFalse(expiresAt.isBefore(wallBefore.plus(Duration.ofHours(1)).minusSeconds(1)), expiresAt.toString());
        assertFalse(expiresAt.isAfter(wallAfter.plus(Duration.ofHours(1)).plusSeconds(1)), expiresAt.toString());
    }

    @Test
    void onTheSystemClockAReadingFromThePastShortensIt() {
        long anHourAgo = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
        Deadline deadline = Deadline.after(Duration.ofMinutes(30), NanoClock.of(Clock.systemUTC()), anHourAgo);

        assertTrue(deadline.isExpired());
        assertEquals(Duration.ZERO, deadline.remaining());
    }

    @Test
    void onTheSystemClockItExpiresWhenItsTimeHasPassed() {
        Deadline deadline = Deadline.after(Duration.ofMillis(20), Clock.systemUTC());
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!deadline.isExpired() && System.nanoTime() - giveUp < 0) {
            Thread.onSpinWait();
        }

        assertTrue(deadline.isExpired(), "expired within 10s");
        assertEquals(Duration.ZERO, deadline.remaining());
    }

    @Test
    void onAnInjectedClockItMovesOnlyWithThatClock() {
        TestClock clock = new TestClock();
        Instant start = clock.instant();
        long longAgo = System.nanoTime() - 1_000_000_000_000L;
        Deadline deadline = Deadline.after(Duration.ofSeconds(2), NanoClock.of(clock), longAgo);

        assertEquals(start.plusSeconds(2), deadline.expiresAt());
        assertEquals(Duration.ofSeconds(2), deadline.remaining());
        assertFalse(deadline.isExpired(), "the caller's nanoTime reading is not this clock's time");

        clock.advance(Duration.ofMillis(1_999));
        assertEquals(Duration.ofMillis(1), deadline.remaining());
        assertFalse(deadline.isExpired());

        clock.advance(Duration.ofMillis(1));
        assertEquals(Duration.ZERO, deadline.remaining());
        assertTrue(deadline.isExpired());
    }
}
