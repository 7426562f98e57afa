package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.status.BackendView;
import io.breakwater.core.status.StatusSources;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendSpec;
import io.breakwater.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The backends as the proxy publishes them for the status page: live figures, drain and enable, withdrawal. */
class BackendStatusTest {

    private static StatusSources sources(ProxyFixture fixture) {
        return StatusSources.of(fixture.proxy.context().getServletContext());
    }

    private static BackendView view(StatusSources sources, ScriptedBackend backend) {
        return sources.backends().stream().filter(view -> view.id().equals("proxy " + backend.url())).findFirst()
                .orElseThrow(() -> new AssertionError("no backend " + backend.url() + " in " + sources.backends()));
    }

    @Test
    void publishesEachBackendWithItsLiveFiguresAndLatency() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin")) {
            for (int i = 0; i < 4; i++) {
                assertEquals(200, fixture.get("/x").statusCode());
            }
            // The client may have the whole answer a moment before the proxy has closed the try's books.
            Await.until("no request in flight", Duration.ofSeconds(5),
                    () -> fixture.servlet.pool().all().stream().allMatch(backend -> backend.getInFlight() == 0));
            StatusSources sources = sources(fixture);
            assertEquals(2, sources.backends().size());
            for (int i = 0; i < 2; i++) {
                BackendView view = view(sources, fixture.backend(i));
                assertEquals(fixture.backend(i).url(), view.url());
                assertEquals(BackendView.AdminState.ACTIVE, view.adminState());
                assertTrue(view.healthy());
                assertNull(view.ejectedUntil());
                assertEquals(0, view.inFlight());
                assertEquals(2L, view.requests());
                assertEquals(0L, view.failures());
                assertEquals(2L, view.latency().getCount());
                assertEquals("healthy", view.state());
            }
        }
    }

    @Test
    void showsAnEjectedBackendUntilItsEjectionEnds() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2)) {
            Backend backend = fixture.servlet.pool().all().get(0);
            backend.eject(Duration.ofMinutes(1), Duration.ofMinutes(1));
            BackendView view = view(sources(fixture), fixture.backend(0));
            assertEquals(backend.ejectedUntil(), view.ejectedUntil());
            assertEquals("ejected", view.state());
        }
    }

    @Test
    void drainAndEnableActOnTheBackendOfTheirId() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin")) {
            StatusSources sources = sources(fixture);
            assertTrue(sources.drain("proxy " + fixture.backend(0).url()));
            assertEquals(Backend.State.DRAINING, fixture.servlet.pool().all().get(0).state());
            assertEquals("drained", view(sources, fixture.backend(0)).state());
            for (int i = 0; i < 4; i++) {
                assertEquals("b1", fixture.get("/x").body());
            }
            assertTrue(sources.enable("proxy " + fixture.backend(0).url()));
            assertEquals(Backend.State.ACTIVE, fixture.servlet.pool().all().get(0).state());
            assertFalse(sources.drain(fixture.backend(0).url()), "an id names the proxy servlet too");
            assertFalse(sources.enable("proxy http://127.0.0.1:9"));
            assertEquals(Backend.State.ACTIVE, fixture.servlet.pool().all().get(0).state());
        }
    }

    @Test
    void followsBackendsAddedAndRemovedAtRunTime() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1); ScriptedBackend extra = ScriptedBackend.start("extra")) {
            StatusSources sources = sources(fixture);
            fixture.servlet.pool().add(BackendSpec.parse(extra.url()));
            assertEquals(Set.of("proxy " + fixture.backend(0).url(), "proxy " + extra.url()),
                    sources.backends().stream().map(BackendView::id).collect(Collectors.toSet()));
            assertTrue(fixture.servlet.pool().remove(fixture.backend(0).url()));
            assertEquals(List.of("proxy " + extra.url()), sources.backends().stream().map(BackendView::id).toList());
            assertFalse(sources.drain("proxy " + fixture.backend(0).url()), "a removed backend takes no control");
        }
    }

    @Test
    void withdrawsItsBackendsWhenDestroyed() throws Exception {
        StatusSources sources;
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            sources = sources(fixture);
            assertEquals(1, sources.backends().size());
        }
        assertEquals(List.of(), sources.backends());
    }
}
