package io.breakwater.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.TimerReservoir;
import io.breakwater.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MetricsLifecycleTest {
    private static JmxClient jmx;

    @BeforeAll
    static void openJmx() throws IOException {
        jmx = JmxClient.open();
    }

    @AfterAll
    static void closeJmx() throws IOException {
        jmx.close();
    }

    @Test
    void redeployingLeavesNoMBeanBehindAndStartsCleanly() throws Exception {
        try (TestServer server = TestServer.start(MetricsFilterTest.app(true, context -> {
            context.setContextPath("/shop");
            context.addServlet(new ServletHolder(new MetricsServlet()), "/breakwater/metrics");
        }))) {
            assertEquals(200, server.get("/shop/ok").statusCode());
            assertEquals(1L, jmx.await(JmxClient.metric("/shop", "route./ok.latency"), "Count", 1L));

            server.context().stop();
            assertEquals(0, jmx.count("breakwater:*"));
            assertEquals(null, server.context().getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE));

            server.context().start();
            assertEquals(200, server.get("/shop/ok").statusCode());
            assertEquals(1L, jmx.await(JmxClient.metric("/shop", "route./ok.latency"), "Count", 1L));
            MetricRegistry registry = MetricsFilterTest.registry(server);
            assertEquals(registry.getNames().size(), jmx.count("breakwater:context=\"/shop\",*"));

            server.context().stop();
            assertEquals(0, jmx.count("breakwater:*"));
        }
    }

    @Test
    void twoWebAppsInOneJvmPublishSeparately() throws Exception {
        try (TestServer first = TestServer.start(MetricsFilterTest.app(true, c -> c.setContextPath("/one")));
                TestServer second = TestServer.start(MetricsFilterTest.app(true, c -> c.setContextPath("/two")))) {
            assertEquals(200, first.get("/one/ok").statusCode());
            assertEquals(200, second.get("/two/ok").statusCode());
            assertEquals(200, second.get("/two/ok").statusCode());
            assertEquals(1L, jmx.await(JmxClient.metric("/one", "route./ok.latency"), "Count", 1L));
            assertEquals(2L, jmx.await(JmxClient.metric("/two", "route./ok.latency"), "Count", 2L));
        }
        assertEquals(0, jmx.count("breakwater:*"));
    }

    @Test
    void appSuppliedRegistryIsUsedAndKept() throws Exception {
        MetricRegistry own = new MetricRegistry();
        try (TestServer server = TestServer.start(MetricsFilterTest.app(true,
                context -> context.setAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE, own)))) {
            assertEquals(200, server.get("/ok").statusCode());
            assertEquals(1L, jmx.await(JmxClient.metric("route./ok.latency"), "Count", 1L));
            assertEquals(1L, own.timer("route./ok.latency").getCount());
        }
        assertEquals(0, jmx.count("breakwater:*"));
    }

    @Test
    void jsonAndPrometheusOutputAgreeWithTheRegistry() throws Exception {
        try (TestServer server = TestServer.start(MetricsFilterTest.app(true, context -> {
            ServletHolder servlet = new ServletHolder(new MetricsServlet());
            context.addServlet(servlet, "/breakwater/metrics");
        }))) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, server.get("/ok").statusCode());
            }
            assertEquals(500, server.get("/fail").statusCode());
            assertEquals(5L, jmx.await(JmxClient.metric("route./ok.responses.2xx"), "Count", 5L));
            MetricRegistry registry = MetricsFilterTest.registry(server);

            HttpResponse<String> json = server.get("/breakwater/metrics");
            assertEquals(200, json.statusCode());
            assertEquals("application/json;charset=utf-8", json.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(5, count(json.body(), "\"route./ok.latency\":\\{\"count\":(\\d+)"));
            assertEquals(5, count(json.body(), "\"route./ok.responses.2xx\":\\{\"count\":(\\d+)"));
            assertEquals(1, count(json.body(), "\"route./fail.responses.5xx\":\\{\"count\":(\\d+)"));
            for (String name : registry.getNames()) {
                assertTrue(json.body().contains("\"" + name + "\":{"), name + " is missing from " + json.body());
            }

            HttpResponse<String> prometheus = server.get("/breakwater/metrics?format=prometheus");
            assertEquals(200, prometheus.statusCode());
            assertTrue(prometheus.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
            assertEquals(5, count(prometheus.body(),
                    "\nbreakwater_route_responses_total\\{class=\"2xx\",route=\"/ok\"} (\\d+)\\.0\n"));
            assertEquals(5, count(prometheus.body(),
                    "\nbreakwater_route_latency_seconds_count\\{route=\"/ok\"} (\\d+)\n"));
            assertEquals(1, count(prometheus.body(),
                    "\nbreakwater_route_responses_total\\{class=\"5xx\",route=\"/fail\"} (\\d+)\\.0\n"));

            HttpResponse<String> scraped = server.send(HttpRequest.newBuilder(server.uri("/breakwater/metrics"))
                    .header("Accept", "text/plain;version=0.0.4").build());
            assertTrue(scraped.body().contains("# TYPE breakwater_route_latency_seconds summary\n"));
            assertEquals(5, count(prometheus.body(),
                    "\nbreakwater_route_latency_seconds_count\\{route=\"/ok\"} (\\d+)\n"));
            assertTrue(prometheus.body().contains("\nbreakwater_route_latency_seconds_sum{route=\"/ok\"} "),
                    prometheus.body());
            assertTrue(prometheus.body().contains("# HELP breakwater_route_responses_total "), prometheus.body());

            HttpResponse<String> openMetrics = server.send(HttpRequest.newBuilder(server.uri("/breakwater/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0").build());
            assertTrue(openMetrics.headers().firstValue("Content-Type").orElseThrow()
                    .startsWith("application/openmetrics-text"));
            assertTrue(openMetrics.body().endsWith("# EOF\n"), openMetrics.body());
        }
    }

    @Test
    void invalidSettingsAreRejectedWithTheirNameValueAndAcceptedValues() {
        ConfigException maxRoutes = assertThrows(ConfigException.class,
                () -> MetricsConfig.read(reader("maxRoutes", "0")));
        assertEquals("maxRoutes must be an integer between 1 and 10000, but was \"0\"", maxRoutes.getMessage());
        ConfigException reservoir = assertThrows(ConfigException.class,
                () -> reader("reservoir", "hdr").get(BreakwaterMetrics.RESERVOIR));
        assertEquals("reservoir must be one of lockFreeExponentiallyDecaying, exponentiallyDecaying,"
                + " slidingTimeWindowArray, but was \"hdr\"", reservoir.getMessage());
        assertEquals(TimerReservoir.EXPONENTIALLY_DECAYING,
                reader("reservoir", "exponentiallyDecaying").get(BreakwaterMetrics.RESERVOIR));
        assertEquals(100, MetricsConfig.read(reader("other", "1")).maxRoutes());
    }

    private static ConfigReader reader(String name, String value) {
        return new ConfigReader(key -> key.equals(name) ? value : null, key -> null, key -> null, key -> null);
    }

    private static long count(String body, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(body);
        assertTrue(matcher.find(), regex + " not in " + body);
        return Long.parseLong(matcher.group(1));
    }
}
