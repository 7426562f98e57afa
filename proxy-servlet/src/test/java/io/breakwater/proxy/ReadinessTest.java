package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.health.Readiness;
import io.breakwater.testing.Await;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    private static Readiness readiness(ProxyFixture fixture) {
        return Readiness.of(fixture.proxy.context().getServletContext());
    }

    @Test
    void readyWhileOneBackendIsUsable() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(2, "healthCheckInterval", "20ms", "unhealthyAfter", "1")) {
            fixture.backend(0).healthy(false);
            Await.until("backend 0 unhealthy", Duration.ofSeconds(10),
                    () -> !fixture.servlet.pool().all().get(0).isHealthy());
            assertEquals(List.of(), readiness(fixture).reasons());
        }
    }

    @Test
    void notReadyWhenEveryBackendIsUnhealthyDrainingOrDisabled() throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(3, "healthCheckInterval", "20ms", "unhealthyAfter", "1")) {
            fixture.servlet.pool().all().get(0).drain();
            fixture.servlet.pool().all().get(1).disable();
            assertEquals(List.of(), readiness(fixture).reasons());
            fixture.backend(2).kill();
            List<String> expected = List.of("no usable backend behind proxy \"proxy\" (3 configured)");
            Await.until("not ready", Duration.ofSeconds(10),
                    () -> expected.equals(readiness(fixture).reasons()));
            fixture.servlet.pool().all().get(1).enable();
            assertEquals(List.of(), readiness(fixture).reasons());
        }
    }

    @Test
    void aStoppedProxyLeavesNoCheckAndNoThreadBehind() throws Exception {
        Set<Thread> before = breakwaterThreads();
        try (ProxyFixture fixture = ProxyFixture.start(1, "healthCheckInterval", "20ms")) {
            Readiness readiness = readiness(fixture);
            // a client's scheduler thread starts with the first timeout it is asked for: the health checks' client
            // with the first check, the proxy's with the first proxied request
            assertEquals(200, fixture.get("/x").statusCode());
            Await.until("the clients' schedulers started", Duration.ofSeconds(10),
                    () -> breakwaterThreads().stream()
                            .filter(thread -> thread.getName().startsWith("breakwater-proxy-proxy-scheduler")
                                    || thread.getName().startsWith("breakwater-health-proxy-scheduler")).count() == 2);
            Set<Thread> started = breakwaterThreads();
            started.removeAll(before);
            List<String> names = started.stream().map(Thread::getName).sorted().toList();
            assertTrue(names.stream().anyMatch(name -> name.equals("breakwater-health-proxy")), names.toString());
            assertTrue(names.stream().anyMatch(name -> name.startsWith("breakwater-health-proxy-client")),
                    names.toString());
            fixture.backend(0).kill();
            Await.until("not ready", Duration.ofSeconds(10), () -> !readiness.reasons().isEmpty());
            fixture.proxy.context().getServletHandler().stop();
            assertEquals(List.of(), readiness.reasons());
            Await.until("the proxy's threads ended", Duration.ofSeconds(10),
                    () -> started.stream().noneMatch(Thread::isAlive));
        }
    }

    private static Set<Thread> breakwaterThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("breakwater-"))
                .collect(Collectors.toCollection(HashSet::new));
    }
}
