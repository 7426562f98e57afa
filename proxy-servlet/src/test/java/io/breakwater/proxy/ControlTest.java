package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.config.ConfigException;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.testing.Await;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** Health checks, drain and the JMX controls and figures. */
class ControlTest {
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    private static ObjectName backendName(ScriptedBackend backend) throws Exception {
        return new ObjectName("breakwater:type=Backend,context=\"ROOT\",name="
                + ObjectName.quote("proxy " + backend.url()));
    }

    @Test
    void aRestartedBackendIsBackWithinOneCheckInterval() throws Exception {
        long intervalMs = 500;
        try (ProxyFixture fixture = ProxyFixture.start(2, "healthCheckInterval", intervalMs + "ms",
                "unhealthyAfter", "1", "healthyAfter", "1")) {
            Backend backend = fixture.servlet.pool().all().get(0);
            fixture.backend(0).kill();
            Await.until("the killed backend is unhealthy", Duration.ofSeconds(5), () -> !backend.isHealthy());
            fixture.backend(0).restart();
            long start = System.nanoTime();
            Await.until("the restarted backend is healthy", Duration.ofSeconds(5), backend::isHealthy);
            long millis = (System.nanoTime() - start) / 1_000_000;
            // One interval, plus the check's own round trip on a busy machine.
            assertTrue(millis <= intervalMs + 250, "back after " + millis + " ms");
            HttpResponse<String> response = fixture.get("/x");
            assertEquals(200, response.statusCode());
        }
    }

    @Test
    void drainLetsInFlightRequestsFinishAndSendsNoNewOnes() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "strategy", "round-robin")) {
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.get("/x?hold=true");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the held request is in b0", Duration.ofSeconds(5),
                    () -> fixture.backend(0).inHandler() == 1);
            MBEANS.invoke(backendName(fixture.backend(0)), "drain", null, null);
            assertEquals("DRAINING", MBEANS.getAttribute(backendName(fixture.backend(0)), "State"));
            assertEquals(1, MBEANS.getAttribute(backendName(fixture.backend(0)), "InFlight"));
            for (int i = 0; i < 10; i++) {
                assertEquals("b1", fixture.get("/x").body());
            }
            fixture.backend(0).release();
            HttpResponse<String> held = inFlight.get();
            assertEquals(200, held.statusCode());
            assertEquals("b0", held.body());
            assertEquals(1, fixture.backend(0).requests());
        }
    }

    @Test
    void disableAndEnableOverJmxTakeABackendOutAndBack() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2)) {
            MBEANS.invoke(backendName(fixture.backend(0)), "disable", null, null);
            for (int i = 0; i < 4; i++) {
                assertEquals("b1", fixture.get("/x").body());
            }
            MBEANS.invoke(backendName(fixture.backend(0)), "enable", null, null);
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(fixture.get("/x").body());
            }
            assertTrue(answers.contains("b0"), answers.toString());
        }
    }

    @Test
    void publishesPerBackendFiguresInJmxAndTheRegistry() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            fixture.get("/x");
            fixture.get("/x?status=500");
            ObjectName name = backendName(fixture.backend(0));
            // The client may have the whole answer a moment before the proxy has closed the try's books.
            Await.until("no request in flight", Duration.ofSeconds(5),
                    () -> fixture.servlet.pool().all().get(0).getInFlight() == 0);
            assertEquals(true, MBEANS.getAttribute(name, "Healthy"));
            assertEquals(2L, MBEANS.getAttribute(name, "Requests"));
            assertEquals(0L, MBEANS.getAttribute(name, "Failures"));
            assertEquals(0, MBEANS.getAttribute(name, "InFlight"));
            assertEquals("", MBEANS.getAttribute(name, "EjectedUntil"));
            String prefix = "proxy.proxy.backend.127.0.0.1:" + fixture.backend(0).port() + ".";
            assertEquals(2L, fixture.registry().getGauges().get(prefix + "requests").getValue());
            assertEquals(1, fixture.registry().getGauges().get(prefix + "healthy").getValue());
            assertEquals(2L, fixture.registry().timer(prefix + "latency").getCount());
        }
    }

    @Test
    void addsAndRemovesBackendsAtRunTimeOverJmx() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(1); ScriptedBackend extra = ScriptedBackend.start("extra")) {
            ObjectName pool = new ObjectName("breakwater:type=BackendPool,context=\"ROOT\",name=\"proxy\"");
            MBEANS.invoke(pool, "addBackend", new Object[] {extra.url()}, new String[] {String.class.getName()});
            assertTrue(MBEANS.isRegistered(backendName(extra)));
            MBEANS.invoke(pool, "removeBackend", new Object[] {fixture.backend(0).url()},
                    new String[] {String.class.getName()});
            assertFalse(MBEANS.isRegistered(backendName(fixture.backend(0))));
            assertEquals("extra", fixture.get("/x").body());
        }
    }

    @Test
    void stopsEverythingOnDestroy() throws Exception {
        ObjectName name;
        try (ProxyFixture fixture = ProxyFixture.start(1)) {
            name = backendName(fixture.backend(0));
            assertTrue(MBEANS.isRegistered(name));
        }
        assertFalse(MBEANS.isRegistered(name));
        assertFalse(MBEANS.isRegistered(new ObjectName("breakwater:type=BackendPool,context=\"ROOT\",name=\"proxy\"")));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("breakwater-health-proxy") && t.isAlive()));
    }

    @Test
    void anInvalidParameterStopsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> ProxyFixture.start(1, "strategy", "fastest").close());
        Throwable cause = e;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertEquals("strategy must be one of round-robin, weighted, least-connections, least-response-time, random,"
                + " hash, but was \"fastest\"", cause == null ? e.toString() : cause.getMessage());
    }
}
