package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.core.time.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExchangeBudgetTest {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void subMillisecondLeftIsNoBudgetNotAnUnboundedTry() {
        // regression: 0.5 ms left became timeout(0 ms), which HttpClient reads as no timeout at all
        Deadline nearlyGone = Deadline.after(Duration.ofNanos(500_000), CLOCK);
        assertEquals(Duration.ZERO, Exchange.budget(Duration.ofSeconds(5), Optional.of(nearlyGone)));
    }

    @Test
    void budgetIsTheNearerOfTryTimeoutAndDeadline() {
        assertEquals(Duration.ofMillis(300),
                Exchange.budget(Duration.ofSeconds(5), Optional.of(Deadline.after(Duration.ofMillis(300), CLOCK))));
        assertEquals(Duration.ofSeconds(5),
                Exchange.budget(Duration.ofSeconds(5), Optional.of(Deadline.after(Duration.ofSeconds(9), CLOCK))));
        assertEquals(Duration.ofSeconds(5), Exchange.budget(Duration.ofSeconds(5), Optional.empty()));
    }
}
