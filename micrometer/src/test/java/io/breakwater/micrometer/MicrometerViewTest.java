package io.breakwater.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.limit.ConcurrencyLimitFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.metrics.internal.PrometheusText;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Breakwater's own Prometheus text and Micrometer's registries show the same families, labels and figures, after
 * real requests through the real filters on a real Jetty.
 */
@Timeout(60)
class MicrometerViewTest {
    private static final List<Class<? extends Filter>> SUITE = List.of(ExceptionHandlingFilter.class,
            ConcurrencyLimitFilter.class, TimeoutFilter.class, CircuitBreakerFilter.class, MetricsFilter.class);

    @Test
    void prometheusRegistryShowsTheSameSamplesAsBreakwatersOwnText() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        try (BreakwaterMeterBinder binder = new BreakwaterMeterBinder(registry);
                TestServer server = TestServer.start(app(registry))) {
            // bound before the first request: every figure below appears after binding
            binder.bindTo(prometheus);
            binder.bindTo(simple);
            for (int i = 0; i < 3; i++) {
                assertEquals(200, server.get("/orders/" + i).statusCode());
            }
            assertEquals(500, server.get("/orders/fail").statusCode());
            assertEquals(500, server.get("/throw").statusCode());
            assertEquals(503, server.get("/slow").statusCode());

            // a timed-out request is counted when its handler has returned too
            Await.until("every request counted", Duration.ofSeconds(30), () -> registry.getTimers().values().stream()
                    .mapToLong(Timer::getCount).sum() == 6);

            Map<String, Double> own = samples(ownText(registry));
            Map<String, Double> viaMicrometer = samples(prometheus.scrape());

            assertEquals(own.keySet(), viaMicrometer.keySet(), "samples of Breakwater's text vs Micrometer's");
            for (String key : own.keySet()) {
                if (!key.contains("timestamp") && !key.contains("own_time")) {
                    assertEquals(own.get(key), viaMicrometer.get(key), 1e-9, key);
                }
            }
            assertEquals(3.0, own.get("breakwater_route_responses_total{class=\"2xx\",route=\"/orders/{id}\"}"));
            assertEquals(1.0, own.get("breakwater_route_responses_total{class=\"5xx\",route=\"/orders/{id}\"}"));
            assertEquals(4.0, own.get("breakwater_route_latency_seconds_count{route=\"/orders/{id}\"}"));
            assertEquals(1.0, own.get("breakwater_route_timeouts_total{route=\"/slow\"}"));
            assertTrue(own.containsKey(
                    "breakwater_circuit_state{breaker=\"/orders/{id}\",state=\"closed\"}"), own.keySet().toString());

            assertEquals(3.0, simple.get("breakwater.route.responses")
                    .tags("route", "/orders/{id}", "class", "2xx").functionCounter().count());
            assertEquals(4L, simple.get("breakwater.route.latency").tags("route", "/orders/{id}")
                    .functionTimer().count());
            assertEquals(1.0, simple.get("breakwater.circuit.state")
                    .tags("breaker", "/orders/{id}", "state", "closed").gauge().value());
            assertEquals(registry.timer("route./orders/{id}.latency").getCount(), 4L);
        }
    }

    @Test
    void closeRemovesTheMetersItRegistered() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        try (TestServer server = TestServer.start(app(registry))) {
            assertEquals(200, server.get("/orders/1").statusCode());
            BreakwaterMeterBinder binder = new BreakwaterMeterBinder(registry);
            // bound after the first request: figures already there are bound too
            binder.bindTo(simple);
            assertEquals(1.0, simple.get("breakwater.route.responses")
                    .tags("route", "/orders/{id}", "class", "2xx").functionCounter().count());
            binder.close();
            assertTrue(simple.getMeters().isEmpty(), simple.getMeters().toString());
        }
    }

    private static java.util.function.Consumer<ServletContextHandler> app(MetricRegistry registry) {
        return context -> {
            context.setAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE, registry);
            context.setInitParameter("breakwater.routes", "/orders/{id}");
            context.setInitParameter("breakwater.timeoutPaths", "/slow=200ms");
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            for (Class<? extends Filter> type : SUITE) {
                FilterHolder holder = new FilterHolder(type);
                holder.setAsyncSupported(true);
                context.addFilter(holder, "/*", dispatches);
            }
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
                    res.setStatus(req.getPathInfo().equals("/fail") ? 500 : 200);
                    res.getWriter().write("order");
                }
            }), "/orders/*");
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse res) {
                    throw new IllegalStateException("boom");
                }
            }), "/throw");
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
                    try {
                        // held until the deadline interrupts it
                        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }), "/slow");
        };
    }

    /** Breakwater's own text, as its metrics servlet writes it (read here, so that no scrape counts itself). */
    private static String ownText(MetricRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusText.write(out, PrometheusTextFormatWriter.create(), registry);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every sample line but quantiles, as {@code name{labels}} to its value. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || line.contains("quantile=")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        assertFalse(samples.isEmpty(), text);
        return samples;
    }
}
