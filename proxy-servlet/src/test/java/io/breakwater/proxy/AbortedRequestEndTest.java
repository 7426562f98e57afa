package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.health.DrainFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request whose answer the proxy aborts mid-body ends for every filter of the chain, with or without a deadline:
 * the route's active count, the drain count and the half-open breaker's probe are settled, and nothing is left in
 * flight at the backend.
 */
class AbortedRequestEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SENT = 1 << 20;
    private static final String ROUTE = "/*";

    /** A backend that answers {@code /ok} whole, {@code /die} with a MB of a longer answer then a reset. */
    private static RawBackend backend() throws IOException {
        return RawBackend.start((head, out, socket) -> {
            if (head.startsWith("GET /ok ")) {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return true;
            }
            boolean dies = head.startsWith("GET /die ");
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + (64L * SENT)
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] body = new byte[SENT];
            java.util.Arrays.fill(body, (byte) 'x');
            for (int i = 0; i < (dies ? 1 : 64); i++) {
                out.write(body);
            }
            out.flush();
            socket.setSoLinger(true, 0);
            socket.close(); // a reset mid-answer, or the end of a whole one
            return false;
        });
    }

    private static TestServer proxy(RawBackend backend, boolean deadline, DrainFilter drain) throws Exception {
        return TestServer.start(context -> {
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*", dispatches);
            if (deadline) {
                FilterHolder timeout = new FilterHolder(new TimeoutFilter());
                timeout.setInitParameter("timeout", "30s");
                context.addFilter(timeout, "/*", dispatches);
            }
            FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter());
            breaker.setInitParameters(Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "4",
                    "halfOpenCalls", "1", "waitInOpen", "30s"));
            context.addFilter(breaker, "/*", dispatches);
            context.addFilter(new FilterHolder(new MetricsFilter()), "/*", dispatches);
            context.addFilter(new FilterHolder(drain), "/*", EnumSet.of(DispatcherType.REQUEST));
            ServletHolder servlet = new ServletHolder("proxy", BalancingProxyServlet.class);
            servlet.setInitParameters(Map.of("backends", backend.url(), "healthCheckPath", "off",
                    "maxAttempts", "1"));
            servlet.setAsyncSupported(true);
            servlet.setInitOrder(0);
            context.addServlet(servlet, "/*");
        });
    }

    @ParameterizedTest(name = "deadline {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void aBackendThatDiesMidAnswerEndsTheRequestForEveryFilter(boolean deadline) throws Exception {
        DrainFilter drain = new DrainFilter();
        try (RawBackend backend = backend(); TestServer proxy = proxy(backend, deadline, drain)) {
            CircuitBreaker breaker = halfOpenBreaker(proxy);
            try (RawClient client = RawClient.connect(proxy.port())) {
                client.send("GET /die HTTP/1.1\r\nHost: localhost\r\n\r\n");
                String raw = client.answer();
                assertTrue(raw.startsWith("HTTP/1.1 200 "), raw.substring(0, Math.min(100, raw.length())));
                assertTrue(raw.length() < 64 * SENT, "an aborted answer never looks whole");
            }
            assertAtRest(proxy, drain, backend);
            Await.until("the probe's failure reopened the breaker", WAIT,
                    () -> breaker.getState() == CircuitBreaker.State.OPEN);
            assertEquals(1, backendFailures(proxy, backend));
            assertEquals(0, registry(proxy).counter("proxy.proxy.clientFaults.gone").getCount());
        }
    }

    @ParameterizedTest(name = "deadline {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void aClientThatLeavesMidAnswerEndsTheRequestForEveryFilter(boolean deadline) throws Exception {
        DrainFilter drain = new DrainFilter();
        try (RawBackend backend = backend(); TestServer proxy = proxy(backend, deadline, drain)) {
            CircuitBreaker breaker = halfOpenBreaker(proxy);
            RawClient client = RawClient.connect(proxy.port());
            client.send("GET /long HTTP/1.1\r\nHost: localhost\r\n\r\n");
            client.readSome();
            client.reset();
            assertAtRest(proxy, drain, backend);
            Await.until("the probe settled the breaker", WAIT,
                    () -> breaker.getState() == CircuitBreaker.State.CLOSED);
            assertEquals(0, backendFailures(proxy, backend), "a client that left is no failure of the backend's");
            assertEquals(1, registry(proxy).counter("proxy.proxy.clientFaults.gone").getCount());
        }
    }

    /** The route's breaker, made by a first request and moved to half-open, with one probe to let through. */
    private static CircuitBreaker halfOpenBreaker(TestServer proxy) throws Exception {
        assertEquals(200, proxy.get("/ok").statusCode());
        Await.until("the first request ended", WAIT, () -> active(proxy) == 0);
        CircuitBreaker breaker = BreakerRegistry.of(proxy.context().getServletContext()).circuitBreaker(ROUTE);
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        return breaker;
    }

    private static void assertAtRest(TestServer proxy, DrainFilter drain, RawBackend backend) throws Exception {
        Await.until("route " + ROUTE + " has no active request", WAIT, () -> active(proxy) == 0);
        Await.until("the drain count is 0", WAIT, () -> drain.inFlight() == 0);
        Await.until("no try in flight at the backend", WAIT, () -> inFlight(proxy, backend) == 0);
    }

    private static MetricRegistry registry(TestServer proxy) {
        return (MetricRegistry) proxy.context().getServletContext().getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    private static long active(TestServer proxy) {
        return registry(proxy).counter("route." + ROUTE + ".active").getCount();
    }

    private static int inFlight(TestServer proxy, RawBackend backend) {
        return (Integer) registry(proxy).getGauges().get("proxy.proxy.backend."
                + backend.url().substring("http://".length()) + ".inFlight").getValue();
    }

    private static long backendFailures(TestServer proxy, RawBackend backend) {
        return (Long) registry(proxy).getGauges().get("proxy.proxy.backend."
                + backend.url().substring("http://".length()) + ".failures").getValue();
    }
}
