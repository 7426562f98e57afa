package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** A try that waits in the proxy's own queue and never gets a connection is not the backend's failure. */
class OwnQueueTest {

    @Test
    void triesRefusedForWantOfAConnectionCountNeitherAgainstTheBackendNorForTheBreaker() throws Exception {
        BalancingProxyServlet servlet = new BalancingProxyServlet();
        try (ScriptedBackend backend = ScriptedBackend.start("b0");
                TestServer proxy = TestServer.start(context -> {
                    FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter());
                    breaker.setInitParameters(Map.of("windowType", "count", "minimumCalls", "2"));
                    breaker.setAsyncSupported(true);
                    context.addFilter(breaker, "/*", EnumSet.of(DispatcherType.REQUEST));
                    ServletHolder holder = new ServletHolder("proxy", servlet);
                    holder.setInitParameters(Map.of("backends", backend.url(), "maxConnectionsPerBackend", "1",
                            "connectionWait", "200ms", "tryTimeout", "10s", "healthCheckPath", "off",
                            "ejectAfterFailures", "1"));
                    holder.setInitOrder(0);
                    holder.setAsyncSupported(true);
                    context.addServlet(holder, "/*");
                })) {
            // the first connection may take longer than the wait on a loaded machine; the held request reuses it
            Await.until("a connection to b0 is open", Duration.ofSeconds(10), () -> status(proxy, "/warm-up") == 200);
            CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> status(proxy, "/x?hold=true"));
            // the warm-up's handler may still be on its way out after its answer reached the client: the held
            // request must be the one in b0
            Await.until("the held request is in b0", Duration.ofSeconds(10), () -> backend.inHandler() == 1
                    && backend.received().stream().anyMatch(received -> received.target().equals("/x?hold=true")));

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> refused = proxy.get("/x");
                assertEquals(502, refused.statusCode());
            }

            Backend b0 = servlet.pool().all().get(0);
            assertEquals(0, b0.getFailures());
            assertFalse(b0.isEjected());
            backend.release();
            assertEquals(200, held.get());
            assertEquals(200, status(proxy, "/after"));
            // an answer is flushed before the breaker judges its call: once the three successes (the last warm-up,
            // the held request, the one after) are judged, the refusals answered before them are too
            CircuitBreaker routeBreaker = ((CircuitBreakerRegistry) proxy.context().getServletContext()
                    .getAttribute(BreakerRegistry.ATTRIBUTE)).find("/*").orElseThrow();
            Await.until("the successes judged", Duration.ofSeconds(10),
                    () -> routeBreaker.getMetrics().getNumberOfSuccessfulCalls() == 3);
            assertEquals(0, routeBreaker.getMetrics().getNumberOfFailedCalls());
            assertEquals(CircuitBreaker.State.CLOSED, routeBreaker.getState());
        }
    }

    private static int status(TestServer proxy, String path) {
        try {
            return proxy.get(path).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
