package io.breakwater.core.metric.internal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.JmxAttributeGauge;
import com.codahale.metrics.jvm.JvmAttributeGaugeSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import com.codahale.metrics.jvm.ThreadStatesGaugeSet;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The process's own figures, added to a web app's registry by the operator endpoints that show them
 * ({@code StatusServlet}, {@code MetricsServlet}) and so published over JMX too, beside the routes' figures: uptime,
 * CPU, heap, garbage collection and live threads; the registry's last holder takes them out again. The
 * values are Dropwizard's own JVM gauges ({@code metrics-jvm}), declared here as typed families; only the CPU
 * figures are read by its {@link JmxAttributeGauge} from the JVM's {@code OperatingSystem} MBean, which
 * {@code metrics-jvm} has no gauge set for. {@link #OPEN_CONNECTIONS} is declared here but counted only by a
 * launcher that owns the connectors (the sample's): a web app cannot see its container's connections.
 * Constants and static methods; thread-safe.
 */
public final class ProcessMetrics {
    private static final DoubleUnaryOperator MILLIS = millis -> millis / 1e3;
    private static final DoubleUnaryOperator NANOS = nanos -> nanos / 1e9;

    public static final MetricFamily UPTIME = MetricFamily.gauge("process_uptime",
            "Time since the JVM started.", "process.uptime", "seconds", MILLIS);
    public static final MetricFamily CPU_TIME = MetricFamily.counter("process_cpu",
            "CPU time the process used, all its threads together.", "process.cpuTime", "seconds", NANOS);
    public static final MetricFamily CPU_USAGE = MetricFamily.gauge("process_cpu_usage",
            "The process's share of the machine's CPU lately, 0 to 1 (negative where the JVM cannot tell).",
            "process.cpuUsage", "ratio", DoubleUnaryOperator.identity());
    public static final MetricFamily HEAP_USED = MetricFamily.gauge("process_heap_used",
            "Heap memory in use.", "process.heap.used", "bytes", DoubleUnaryOperator.identity());
    public static final MetricFamily HEAP_MAX = MetricFamily.gauge("process_heap_max",
            "The most heap memory the JVM may use (-1 when unbounded).", "process.heap.max", "bytes",
            DoubleUnaryOperator.identity());
    public static final MetricFamily GC_COLLECTIONS = MetricFamily.counter("process_gc_collections",
            "Collections the garbage collector ran.", "process.gc.{gc}.count");
    public static final MetricFamily GC_TIME = MetricFamily.counter("process_gc_time",
            "Time the garbage collector spent collecting (for a concurrent one, not all of it paused the app).",
            "process.gc.{gc}.time", "seconds", MILLIS);
    public static final MetricFamily LIVE_THREADS = MetricFamily.gauge("process_live_threads",
            "Live threads of the JVM, daemon threads included.", "process.threads.live");
    public static final MetricFamily OPEN_CONNECTIONS = MetricFamily.gauge("process_open_connections",
            "Client connections open now on the server's connectors (counted by the launcher that owns them).",
            "process.connections.open");

    private static final String OPERATING_SYSTEM = "java.lang:type=OperatingSystem";

    private ProcessMetrics() {
    }

    /** Registers the JVM's figures in the catalog's registry; a figure already there stays as it is. */
    public static void register(MetricCatalog catalog) {
        register(catalog, UPTIME, new JvmAttributeGaugeSet().getMetrics().get("uptime"));
        register(catalog, CPU_TIME, operatingSystem("ProcessCpuTime"));
        register(catalog, CPU_USAGE, operatingSystem("ProcessCpuLoad"));
        Map<String, Metric> memory = new MemoryUsageGaugeSet().getMetrics();
        register(catalog, HEAP_USED, memory.get("heap.used"));
        register(catalog, HEAP_MAX, memory.get("heap.max"));
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            // one set per collector, so that its two gauges (".count", ".time") need no name parsed for the label
            for (Map.Entry<String, Metric> gauge : new GarbageCollectorMetricSet(List.of(collector)).getMetrics()
                    .entrySet()) {
                register(catalog, gauge.getKey().endsWith(".count") ? GC_COLLECTIONS : GC_TIME, gauge.getValue(),
                        collector.getName());
            }
        }
        // only the count: the set's per-state gauges take a dump of every thread on each read
        register(catalog, LIVE_THREADS, new ThreadStatesGaugeSet().getMetrics().get("count"));
    }

    /** Takes the JVM's figures out again (the launcher's {@link #OPEN_CONNECTIONS} stays its own). */
    public static void remove(MetricCatalog catalog) {
        for (MetricFamily family : List.of(UPTIME, CPU_TIME, CPU_USAGE, HEAP_USED, HEAP_MAX, LIVE_THREADS)) {
            catalog.remove(family);
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            catalog.remove(GC_COLLECTIONS, collector.getName());
            catalog.remove(GC_TIME, collector.getName());
        }
    }

    @SuppressWarnings("rawtypes")
    private static void register(MetricCatalog catalog, MetricFamily family, Metric gauge, String... labelValues) {
        catalog.gauge(family, () -> (Gauge) gauge, labelValues);
    }

    private static Metric operatingSystem(String attribute) {
        try {
            return new JmxAttributeGauge(new ObjectName(OPERATING_SYSTEM), attribute);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(OPERATING_SYSTEM, e);
        }
    }
}
