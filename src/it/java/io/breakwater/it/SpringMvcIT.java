package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.BreakerRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.timeout.TimeoutFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * Spring MVC's DispatcherServlet, mapped at {@code /} as Spring apps map it, behind the suite: with {@code routes}
 * set to the controller's patterns, each endpoint has its own breaker and timer.
 */
class SpringMvcIT {
    private static final String ROUTES = "/orders/{id},/orders/{id}/items,/customers/{name}";

    @Test
    void aFailingEndpointOpensOnlyItsOwnCircuitAndEachEndpointHasItsOwnTimer() throws Exception {
        Server server = start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            for (int i = 1; i <= 4; i++) {
                HttpResponse<String> failed = get(client, port, "/orders/" + i + "/items");
                assertEquals(500, failed.statusCode());
                assertTrue(failed.body().contains("\"code\":\"INTERNAL_ERROR\""), failed.body());
            }
            HttpResponse<String> rejected = get(client, port, "/orders/5/items");
            assertEquals(503, rejected.statusCode());
            assertTrue(rejected.body().contains("\"code\":\"CIRCUIT_OPEN\""), rejected.body());

            assertEquals("order 5", get(client, port, "/orders/5").body());
            assertEquals("customer ada", get(client, port, "/customers/ada").body());
            assertEquals("order 6", get(client, port, "/orders/6").body());

            ServletContextHandler context = (ServletContextHandler) server.getHandler();
            CircuitBreakerRegistry breakers = (CircuitBreakerRegistry) context.getServletContext()
                    .getAttribute(BreakerRegistry.ATTRIBUTE);
            assertEquals(State.OPEN, breakers.find("/orders/{id}/items").orElseThrow().getState());
            assertEquals(State.CLOSED, breakers.find("/orders/{id}").orElseThrow().getState());
            assertEquals(State.CLOSED, breakers.find("/customers/{name}").orElseThrow().getState());
            assertTrue(breakers.find("/").isEmpty(), "no breaker for the DispatcherServlet's mapping");

            MetricRegistry metrics = (MetricRegistry) context.getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            awaitIdle(metrics);
            assertEquals(5, metrics.timer("route./orders/{id}/items.latency").getCount());
            assertEquals(5, metrics.meter("route./orders/{id}/items.responses.5xx").getCount());
            assertEquals(2, metrics.timer("route./orders/{id}.latency").getCount());
            assertEquals(2, metrics.meter("route./orders/{id}.responses.2xx").getCount());
            assertEquals(1, metrics.timer("route./customers/{name}.latency").getCount());
            assertTrue(metrics.getTimers().keySet().stream().noneMatch(name -> name.equals("route./.latency")),
                    metrics.getTimers().keySet().toString());
        } finally {
            server.stop();
        }
    }

    private static Server start() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("breakwater.routes", ROUTES);
        Map<String, String> breaker = Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "4");
        for (Filter filter : List.of(new ExceptionHandlingFilter(), new TimeoutFilter(), new CircuitBreakerFilter(),
                new MetricsFilter())) {
            FilterHolder holder = new FilterHolder(filter);
            if (filter instanceof CircuitBreakerFilter) {
                holder.setInitParameters(breaker);
            }
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
        AnnotationConfigWebApplicationContext spring = new AnnotationConfigWebApplicationContext();
        spring.register(WebConfig.class, OrdersController.class);
        context.addServlet(new ServletHolder("dispatcher", new DispatcherServlet(spring)), "/");
        server.setHandler(context);
        server.start();
        return server;
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The last answer is on the wire before its count ends: waits until no route has a request under way. */
    private static void awaitIdle(MetricRegistry metrics) {
        SampleProcess.await("every answer counted", Duration.ofSeconds(10), () -> metrics.getCounters(
                (name, metric) -> name.endsWith(".active")).values().stream().allMatch(c -> c.getCount() == 0)
                ? Boolean.TRUE : null);
    }

    /** Spring MVC's own configuration: annotated controllers. */
    @Configuration
    @EnableWebMvc
    static class WebConfig {
    }

    /** Three endpoints, one of which always fails. */
    @RestController
    static class OrdersController {
        @GetMapping("/orders/{id}")
        String order(@PathVariable("id") String id) {
            return "order " + id;
        }

        @GetMapping("/orders/{id}/items")
        String items(@PathVariable("id") String id) {
            throw new IllegalStateException("the items store is down");
        }

        @GetMapping("/customers/{name}")
        String customer(@PathVariable("name") String name) {
            return "customer " + name;
        }
    }
}
