package io.breakwater.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.metric.internal.RouteMetrics;
import io.breakwater.core.metric.internal.ProcessMetrics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.breakwater.metrics.internal.PrometheusText;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final MetricFamily STATE = MetricFamily.state("test_state", "A state.", "test.{breaker}.state",
            List.of("closed", "open"));
    private static final MetricFamily RATIO = MetricFamily.gauge("test_failure", "A share.", "test.{breaker}.rate",
            "ratio", percent -> percent < 0 ? Double.NaN : percent / 100);

    @Test
    void declaredFamiliesGetTheirLabelsUnitsAndTypesAndAStateOneGaugePerState() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        MetricCatalog catalog = MetricCatalog.of(registry);
        catalog.gauge(STATE, () -> (Gauge<Integer>) () -> 1, "/orders/{id}");
        catalog.gauge(RATIO, () -> (Gauge<Float>) () -> -1f, "/orders/{id}");
        catalog.meter(RouteMetrics.RESPONSES, "/orders/{id}", "5xx").mark(3);
        catalog.timer(RouteMetrics.LATENCY, BreakwaterMetrics.timers(registry), "/orders/{id}")
                .update(1500, TimeUnit.MILLISECONDS);

        String text = write(registry);

        assertTrue(text.contains("# TYPE breakwater_test_state gauge\n"), text);
        assertTrue(text.contains("breakwater_test_state{breaker=\"/orders/{id}\",state=\"closed\"} 0.0\n"), text);
        assertTrue(text.contains("breakwater_test_state{breaker=\"/orders/{id}\",state=\"open\"} 1.0\n"), text);
        assertTrue(text.contains("breakwater_test_failure_ratio{breaker=\"/orders/{id}\"} NaN\n"), text);
        assertTrue(text.contains("# TYPE breakwater_route_responses_total counter\n"), text);
        assertTrue(text.contains("breakwater_route_responses_total{class=\"5xx\",route=\"/orders/{id}\"} 3.0\n"),
                text);
        assertTrue(text.contains("breakwater_route_latency_seconds_count{route=\"/orders/{id}\"} 1\n"), text);
        assertTrue(text.contains("breakwater_route_latency_seconds_sum{route=\"/orders/{id}\"} 1.5\n"), text);
    }

    @Test
    void theAppsOwnMetricsAppearUnderAppWithOneFamilyEachEvenWhenTheirKeysSanitiseAlike() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("orders.placed").inc(2);
        registry.counter("orders-placed").inc(5);
        registry.meter("orders.paid").mark();
        registry.register("orders.broken", (Gauge<Integer>) () -> {
            throw new IllegalStateException("broken gauge");
        });

        String text = write(registry);

        assertTrue(text.contains("# HELP breakwater_app_orders_placed The app's own metric "), text);
        // in the keys' order: orders-placed comes first and keeps the name
        assertTrue(text.contains("\nbreakwater_app_orders_placed 5.0\n"), text);
        assertTrue(text.contains("\nbreakwater_app_orders_placed_" + Integer.toUnsignedString(
                "orders.placed".hashCode(), 36) + " 2.0\n"), text);
        assertTrue(text.contains("# TYPE breakwater_app_orders_paid_total counter\n"), text);
        assertTrue(!text.contains("orders_broken"), text);
    }

    @Test
    void processFiguresAreInBaseUnitsWithOneSeriesPerCollector() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        MetricCatalog catalog = MetricCatalog.of(registry);
        ProcessMetrics.register(catalog);
        catalog.gauge(ProcessMetrics.OPEN_CONNECTIONS, () -> (Gauge<Integer>) () -> 3);

        String text = write(registry);

        for (String family : List.of("breakwater_process_uptime_seconds gauge",
                "breakwater_process_cpu_seconds_total counter", "breakwater_process_cpu_usage_ratio gauge",
                "breakwater_process_heap_used_bytes gauge", "breakwater_process_heap_max_bytes gauge",
                "breakwater_process_gc_collections_total counter", "breakwater_process_gc_time_seconds_total counter",
                "breakwater_process_live_threads gauge", "breakwater_process_open_connections gauge")) {
            assertTrue(text.contains("# TYPE " + family + "\n"), family + " in\n" + text);
        }
        assertTrue(text.contains("breakwater_process_open_connections 3.0\n"), text);
        long heapMax = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
        assertTrue(text.contains("breakwater_process_heap_max_bytes " + (double) heapMax + "\n"), text);
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            assertTrue(text.contains("breakwater_process_gc_collections_total{gc=\"" + collector.getName() + "\"} "),
                    collector.getName() + " in\n" + text);
        }
        Matcher threads = Pattern.compile("breakwater_process_live_threads (\\d+)\\.0\n").matcher(text);
        assertTrue(threads.find(), text);
        assertTrue(Integer.parseInt(threads.group(1)) >= 2, text);

        ProcessMetrics.remove(catalog);
        assertEquals(java.util.Set.of("process.connections.open"), registry.getNames(),
                "the JVM's figures are taken out again, the launcher's stays");
    }

    private static String write(MetricRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusText.write(out, PrometheusTextFormatWriter.create(), registry);
        return out.toString(StandardCharsets.UTF_8);
    }
}
