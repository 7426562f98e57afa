package io.breakwater.limit;

import static io.breakwater.limit.ConcurrencyLimitFilterTest.add;
import static io.breakwater.limit.ConcurrencyLimitFilterTest.registry;
import static io.breakwater.limit.ConcurrencyLimitFilterTest.send;
import static io.breakwater.limit.ConcurrencyLimitFilterTest.server;
import static io.breakwater.testing.TestServlets.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.limit.ConcurrencyLimitFilterTest.Gate;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.metrics.internal.PrometheusText;
import io.breakwater.status.StatusServlet;
import io.breakwater.testing.Await;
import io.breakwater.testing.JsonText;
import io.breakwater.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each route's own concurrency limit and the requests under it, as figures labelled with the route. */
@Timeout(60)
class RouteLimitFiguresTest {
    private static final Map<String, String> FIXED_4 =
            Map.of("initialConcurrencyLimit", "4", "minConcurrencyLimit", "4", "maxConcurrencyLimit", "4");

    @Test
    void eachRoutesLimitAndInFlightArePublishedInTheRegistryJmxAndPrometheus() throws Exception {
        Gate gate = new Gate();
        try (TestServer server = server(new ConcurrencyLimitFilter(), FIXED_4, context -> {
            add(context, new FilterHolder(MetricsFilter.class), Map.of());
            route(context, "/held/*", gate);
            route(context, "/fast/*", (request, response) -> response.getWriter().write("ok"));
            context.addServlet(StatusServlet.class, "/ops/status");
        })) {
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(send(server, "/held/" + i));
            }
            gate.awaitInside(2);
            assertEquals(200, server.get("/fast/x").statusCode());
            MetricRegistry registry = registry(server);

            assertEquals(4, gauge(registry, "route./held/*.concurrencyLimit"));
            assertEquals(2, gauge(registry, "route./held/*.concurrencyInFlight"));
            assertEquals(4, gauge(registry, "route./fast/*.concurrencyLimit"));
            assertEquals(0, gauge(registry, "route./fast/*.concurrencyInFlight"));
            assertEquals(2, ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(Jmx.name("", "route", "route./held/*.concurrencyInFlight"), "Value"));
            String text = prometheus(registry);
            assertTrue(text.contains("# TYPE breakwater_route_concurrency_limit gauge\n"), text);
            assertTrue(text.contains("breakwater_route_concurrency_limit{route=\"/held/*\"} 4.0\n"), text);
            assertTrue(text.contains("breakwater_route_concurrency_in_flight{route=\"/held/*\"} 2.0\n"), text);
            assertTrue(text.contains("breakwater_route_concurrency_in_flight{route=\"/fast/*\"} 0.0\n"), text);
            Map<?, ?> row = statusRow(server, "/held/*");
            assertEquals(4L, row.get("limit"), row.toString());
            assertEquals(2L, row.get("limitInFlight"), row.toString());

            gate.release(2);
            for (CompletableFuture<HttpResponse<String>> response : held) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
            Await.until("the held route's requests out from under its limit", Duration.ofSeconds(20),
                    () -> gauge(registry, "route./held/*.concurrencyInFlight").equals(0));
        }
    }

    /** The route's row on the status page, in its JSON. */
    private static Map<?, ?> statusRow(TestServer server, String route) throws Exception {
        HttpResponse<String> response = server.get("/ops/status?format=json");
        assertEquals(200, response.statusCode(), response.body());
        Map<?, ?> status = (Map<?, ?>) JsonText.parse(response.body());
        for (Object row : (List<?>) status.get("routes")) {
            if (route.equals(((Map<?, ?>) row).get("route"))) {
                return (Map<?, ?>) row;
            }
        }
        throw new AssertionError("no row of " + route + " in " + response.body());
    }

    private static Object gauge(MetricRegistry registry, String key) {
        Gauge<?> gauge = registry.getGauges().get(key);
        assertTrue(gauge != null, key + " in " + registry.getGauges().keySet());
        return gauge.getValue();
    }

    private static String prometheus(MetricRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusText.write(out, PrometheusText.writerFor(null), registry);
        return out.toString(StandardCharsets.UTF_8);
    }
}
