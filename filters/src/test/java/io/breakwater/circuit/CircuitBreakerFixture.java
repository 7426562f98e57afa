package io.breakwater.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestClock;
import io.breakwater.testing.TestServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * A real server with the chain's first filters in front of two scripted routes, {@code /fail/*} and
 * {@code /ok/*}, a breaker that judges after 4 calls and waits 10s on a test clock. Close it to stop the server.
 */
final class CircuitBreakerFixture implements AutoCloseable {
    static final String FAILING = "/fail/*";
    static final String HEALTHY = "/ok/*";

    final TestClock clock = new TestClock();
    final RouteServlet failing = new RouteServlet(clock).answering(500);
    final RouteServlet healthy = new RouteServlet(clock).answering(200);
    final TestServer server;

    private CircuitBreakerFixture(Map<String, String> params, Map<String, HttpServlet> extraRoutes,
            Function<TestClock, Filter> inFront) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("windowType", "count");
        all.put("windowSize", "10");
        all.put("minimumCalls", "4");
        all.put("failureRateThreshold", "50");
        all.put("waitInOpen", "10s");
        all.put("halfOpenCalls", "3");
        all.putAll(params);
        server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            if (inFront != null) {
                context.addFilter(new FilterHolder(inFront.apply(clock)), "/*", EnumSet.of(DispatcherType.REQUEST));
            }
            FilterHolder breaker = new FilterHolder(new CircuitBreakerFilter(clock));
            breaker.setInitParameters(all);
            context.addFilter(breaker, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            context.addServlet(new ServletHolder(failing), FAILING);
            context.addServlet(new ServletHolder(healthy), HEALTHY);
            extraRoutes.forEach((path, servlet) -> addServlet(context, servlet, path));
        });
    }

    private static void addServlet(ServletContextHandler context, HttpServlet servlet, String path) {
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, path);
    }

    static CircuitBreakerFixture start(Map<String, String> params) throws Exception {
        return new CircuitBreakerFixture(params, Map.of(), null);
    }

    /** With more routes, and a filter made on the fixture's clock between the first filter and the breaker. */
    static CircuitBreakerFixture start(Map<String, String> params, Map<String, HttpServlet> extraRoutes,
            Function<TestClock, Filter> inFront) throws Exception {
        return new CircuitBreakerFixture(params, extraRoutes, inFront);
    }

    HttpResponse<String> get(String path) throws Exception {
        return server.get(path);
    }

    /** Sends failing requests until the failing route's breaker opens. */
    void open() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(500, get("/fail/x").statusCode());
        }
        assertEquals(CircuitBreaker.State.OPEN, breaker(FAILING).getState());
    }

    CircuitBreaker breaker(String name) {
        CircuitBreakerRegistry registry = (CircuitBreakerRegistry) server.context().getServletContext()
                .getAttribute(BreakerRegistry.ATTRIBUTE);
        return registry.find(name).orElseThrow(() -> new AssertionError("no breaker " + name));
    }

    MetricRegistry metrics() {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    static void assertCircuitOpen(HttpResponse<String> response, String retryAfter) {
        assertEquals(503, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(retryAfter, response.headers().firstValue("Retry-After").orElse(null));
        assertTrue(response.body().contains("\"code\":\"CIRCUIT_OPEN\""), response.body());
        assertTrue(response.body().contains("\"error\":\"Circuit open\""), response.body());
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        Await.until(what, Duration.ofSeconds(10), condition);
    }

    @Override
    public void close() {
        server.close();
    }
}
