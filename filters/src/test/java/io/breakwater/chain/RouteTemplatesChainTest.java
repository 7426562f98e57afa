package io.breakwater.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.route.internal.RouteTemplates;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** One front servlet at {@code /api/*}, as Spring MVC or JAX-RS map theirs, split into routes by templates. */
class RouteTemplatesChainTest {
    private static final String ROUTES = "/api/orders/{id},/api/orders/{id}/items,/api/static/*";

    @Test
    void eachTemplateIsARouteWithItsOwnBreakerAndFiguresBehindOneFrontServlet() throws Exception {
        try (TestServer server = TestServer.start(context -> suite(context, ROUTES))) {
            for (int id = 1; id <= 4; id++) {
                assertEquals(500, server.get("/api/orders/" + id + "?status=500").statusCode());
            }

            HttpResponse<String> rejected = server.get("/api/orders/5");
            assertEquals(503, rejected.statusCode());
            assertTrue(rejected.body().contains("\"code\":\"CIRCUIT_OPEN\""), rejected.body());
            HttpResponse<String> items = server.get("/api/orders/5/items");
            assertEquals(200, items.statusCode());
            assertEquals("/api/orders/{id}/items", items.body());
            assertEquals("/api/static/*", server.get("/api/static/css/site.css").body());
            assertEquals("/api/*", server.get("/api/customers/9").body());

            assertEquals(State.OPEN, breakers(server).find("/api/orders/{id}").orElseThrow().getState());
            assertEquals(State.CLOSED, breakers(server).find("/api/orders/{id}/items").orElseThrow().getState());
            assertEquals(State.CLOSED, breakers(server).find("/api/*").orElseThrow().getState());
            MetricRegistry registry = registry(server);
            Await.until("every answer counted", Duration.ofSeconds(10),
                    () -> registry.counter("route./api/*.active").getCount() == 0);
            // four failures and the rejection
            assertEquals(5, registry.meter("route./api/orders/{id}.responses.5xx").getCount());
            assertEquals(1, registry.timer("route./api/orders/{id}/items.latency").getCount());
            assertEquals(1, registry.timer("route./api/*.latency").getCount());
            assertFalse(registry.getNames().stream().anyMatch(name -> name.contains("/api/orders/1")));
        }
    }

    @Test
    void withoutTemplatesTheRouteIsTheServletMappingAsBefore() throws Exception {
        try (TestServer server = TestServer.start(context -> suite(context, ""))) {
            assertEquals("/api/*", server.get("/api/orders/1").body());
            assertEquals(1, registry(server).timer("route./api/*.latency").getCount());
        }
    }

    @Test
    void templatesAppendedAfterStartComeAfterTheAppsOwnAndLeaveOutWhatIsNoTemplate() throws Exception {
        try (TestServer server = TestServer.start(context -> suite(context, "/api/orders/{id}"))) {
            RouteTemplates now = Routes.append(server.context().getServletContext(),
                    List.of("/api/orders/new", "/api/orders/{id}", "/api/items/{id}", "/api/files/*.txt"));

            assertEquals(List.of("/api/orders/{id}", "/api/orders/new", "/api/items/{id}"), now.texts());
            // the app's own template came first, so it wins over the appended, more specific one
            assertEquals("/api/orders/{id}", server.get("/api/orders/new").body());
            assertEquals("/api/items/{id}", server.get("/api/items/7").body());
            assertEquals("/api/*", server.get("/api/files/a.txt").body());
        }
    }

    @Test
    void aBadTemplateStopsTheAppWithOneMessage() {
        Exception failure = assertThrows(Exception.class,
                () -> TestServer.start(context -> suite(context, "/api/orders/{id,/api/x")).close());
        Throwable cause = failure;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        assertEquals("routes must be " + RouteTemplates.ACCEPTED + ", but was \"/api/orders/{id,/api/x\"",
                cause == null ? String.valueOf(failure) : cause.getMessage());
    }

    private static void suite(ServletContextHandler context, String routes) {
        context.setInitParameter("breakwater.routes", routes);
        Map<String, String> breaker = Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "4");
        for (Filter filter : List.of(new ExceptionHandlingFilter(), new TimeoutFilter(), new CircuitBreakerFilter(),
                new MetricsFilter())) {
            FilterHolder holder = new FilterHolder(filter);
            if (filter instanceof CircuitBreakerFilter) {
                holder.setInitParameters(breaker);
            }
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        context.addServlet(new ServletHolder(new FrontServlet()), "/api/*");
    }

    private static CircuitBreakerRegistry breakers(TestServer server) {
        return (CircuitBreakerRegistry) server.context().getServletContext().getAttribute(BreakerRegistry.ATTRIBUTE);
    }

    private static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    /** Answers the status its {@code status} parameter asks for (200 by default), with the route it was given. */
    static final class FrontServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String status = request.getParameter("status");
            response.setStatus(status == null ? 200 : Integer.parseInt(status));
            response.getWriter().print(request.getAttribute(Routes.ATTRIBUTE));
        }
    }
}
