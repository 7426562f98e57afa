package io.breakwater.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.breakwater.testing.JsonText;
import io.breakwater.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** The metrics servlet answers only the status page's allow-list: its names carry backend addresses. */
class MetricsServletAccessTest {
    private static final String METRICS = "/breakwater/metrics";

    private static TestServer start(Consumer<ServletContextHandler> setup) throws Exception {
        return TestServer.start(context -> {
            setup.accept(context);
            context.addServlet(new ServletHolder(MetricsServlet.class), METRICS);
        });
    }

    private static void assertForbidden(HttpResponse<String> response) {
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> body = JsonText.object(response.body());
        assertEquals("FORBIDDEN", body.get("code"));
        assertEquals("Metrics not allowed from this address", body.get("error"));
        assertEquals(403L, body.get("status"));
    }

    @Test
    void loopbackClientGetsTheMetricsByDefault() throws Exception {
        try (TestServer server = start(context -> { })) {
            HttpResponse<String> json = server.get(METRICS);
            assertEquals(200, json.statusCode(), json.body());
            assertEquals("application/json;charset=utf-8", json.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(200, server.get(METRICS + "?format=prometheus").statusCode());
        }
    }

    @Test
    void clientOutsideTheSuiteWideAllowListIsRefusedJsonAndPrometheus() throws Exception {
        try (TestServer server = start(context ->
                context.setInitParameter("breakwater.statusAllowFrom", "10.0.0.0/8,::1"))) {
            assertForbidden(server.get(METRICS));
            assertForbidden(server.get(METRICS + "?format=prometheus"));
        }
    }

    @Test
    void clientOutsideTheServletsOwnAllowListIsRefused() throws Exception {
        try (TestServer server = TestServer.start(context -> {
            ServletHolder metrics = new ServletHolder(MetricsServlet.class);
            metrics.setInitParameter("statusAllowFrom", "192.168.0.0/16");
            context.addServlet(metrics, METRICS);
        })) {
            HttpResponse<String> refused = server.get(METRICS);
            assertForbidden(refused);
            assertFalse(refused.body().contains("route."), refused.body());
        }
    }
}
