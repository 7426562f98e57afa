package io.breakwater.circuit;

import static io.breakwater.circuit.CircuitBreakerFixture.FAILING;
import static io.breakwater.circuit.CircuitBreakerFixture.HEALTHY;
import static io.breakwater.circuit.CircuitBreakerFixture.assertCircuitOpen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.status.BreakerView;
import io.breakwater.core.status.StatusSources;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The breakers as the filter publishes them for the status page: live figures, the reset, and the withdrawal. */
class BreakerStatusTest {

    @Test
    void publishesEachRouteBreakerWithItsLiveFigures() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            StatusSources sources = StatusSources.of(fixture.server.context().getServletContext());
            assertEquals(List.of(), sources.breakers(), "no breaker before its route's first request");
            assertEquals(200, fixture.get("/ok/x").statusCode());
            fixture.open();
            assertCircuitOpen(fixture.get("/fail/x"), "10");

            BreakerView open = view(sources, FAILING);
            assertEquals("OPEN", open.state());
            assertEquals(100f, open.failureRate());
            assertEquals(0f, open.slowCallRate());
            assertEquals(1L, open.rejectedCalls());
            assertEquals(fixture.clock.instant().plus(Duration.ofSeconds(10)), open.probeAllowedAt());
            BreakerView closed = view(sources, HEALTHY);
            assertEquals("CLOSED", closed.state());
            assertEquals(-1f, closed.failureRate(), "fewer than the minimum of calls: no rate yet");
            assertEquals(0L, closed.rejectedCalls());
            assertNull(closed.probeAllowedAt());
        }
    }

    @Test
    void resetClosesTheNamedBreakerAndAnUnknownNameIsRefused() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            StatusSources sources = StatusSources.of(fixture.server.context().getServletContext());
            fixture.open();

            assertFalse(sources.reset("/nothing/*"));
            assertEquals("OPEN", view(sources, FAILING).state());
            assertTrue(sources.reset(FAILING));
            assertEquals("CLOSED", view(sources, FAILING).state());
            assertEquals(500, fixture.get("/fail/x").statusCode(), "the next request reaches the route");
        }
    }

    @Test
    void withdrawsItsBreakersWhenDestroyed() throws Exception {
        StatusSources sources;
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            sources = StatusSources.of(fixture.server.context().getServletContext());
            assertEquals(200, fixture.get("/ok/x").statusCode());
            assertEquals(1, sources.breakers().size());
        }
        assertEquals(List.of(), sources.breakers());
        assertFalse(sources.reset(HEALTHY));
    }

    private static BreakerView view(StatusSources sources, String name) {
        return sources.breakers().stream().filter(breaker -> breaker.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no breaker " + name + " in " + sources.breakers()));
    }
}
