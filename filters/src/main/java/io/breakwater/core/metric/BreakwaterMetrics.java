package io.breakwater.core.metric;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.metric.internal.ContextObjectNames;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.ProcessMetrics;
import io.breakwater.core.metric.internal.TimerReservoir;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The web app's one {@link MetricRegistry}, at context attribute {@value #REGISTRY_ATTRIBUTE}: the app's own if it
 * put one there first, else one created here, once and on purpose. While any Breakwater component holds it, the
 * whole registry is published over JMX in domain {@value #JMX_DOMAIN} (names from {@link ContextObjectNames}, so
 * two web apps never collide); the last one to release it takes out the process's figures ({@link ProcessMetrics},
 * which the operator endpoints add) and stops the publishing, so an undeployed app leaves no MBean behind, and a
 * registry created here is dropped with it. Thread-safe.
 */
public final class BreakwaterMetrics {
    public static final String REGISTRY_ATTRIBUTE = "io.breakwater.metrics.registry";
    public static final String JMX_DOMAIN = "breakwater";
    private static final String HOLDER_ATTRIBUTE = "io.breakwater.metrics.holder";

    /**
     * The reservoir behind every Breakwater timer of a web app (routes and filters' own time), read once per app
     * from its context-param, system property or environment when the registry is first taken.
     */
    public static final Parameter<TimerReservoir> RESERVOIR = Parameter.of("reservoir", "BreakwaterMetrics",
            TimerReservoir.LOCK_FREE_EXPONENTIALLY_DECAYING.configName(), TimerReservoir.parser());

    /** Each held registry's timer reservoir; weak, so that a registry nobody released still goes away. */
    private static final Map<MetricRegistry, TimerReservoir> RESERVOIRS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final MetricRegistry registry;
    private final boolean created;
    private final JmxReporter reporter;
    private int holders;

    private BreakwaterMetrics(MetricRegistry registry, boolean created, String contextPath) {
        this.registry = registry;
        this.created = created;
        this.reporter = JmxReporter.forRegistry(registry)
                .inDomain(JMX_DOMAIN)
                .createsObjectNamesWith(new ContextObjectNames(contextPath, MetricCatalog.of(registry)))
                .registerWith(ManagementFactory.getPlatformMBeanServer())
                .build();
    }

    /** Takes a hold on the context's registry, creating it and starting JMX publishing for the first holder. */
    public static MetricRegistry acquire(ServletContext context) {
        synchronized (context) {
            BreakwaterMetrics metrics = (BreakwaterMetrics) context.getAttribute(HOLDER_ATTRIBUTE);
            if (metrics == null) {
                Object existing = context.getAttribute(REGISTRY_ATTRIBUTE);
                if (existing != null && !(existing instanceof MetricRegistry)) {
                    throw new IllegalStateException("context attribute " + REGISTRY_ATTRIBUTE
                            + " must be a com.codahale.metrics.MetricRegistry, but was a "
                            + existing.getClass().getName());
                }
                TimerReservoir reservoir = ConfigReader.of(context).get(RESERVOIR);
                MetricRegistry registry = existing != null ? (MetricRegistry) existing : new MetricRegistry();
                context.setAttribute(REGISTRY_ATTRIBUTE, registry);
                RESERVOIRS.put(registry, reservoir);
                metrics = new BreakwaterMetrics(registry, existing == null, context.getContextPath());
                metrics.reporter.start();
                context.setAttribute(HOLDER_ATTRIBUTE, metrics);
            }
            metrics.holders++;
            return metrics.registry;
        }
    }

    /** Gives back a hold; the last one stops JMX publishing, and drops the registry if it was created here. */
    public static void release(ServletContext context) {
        synchronized (context) {
            BreakwaterMetrics metrics = (BreakwaterMetrics) context.getAttribute(HOLDER_ATTRIBUTE);
            if (metrics != null && --metrics.holders == 0) {
                ProcessMetrics.remove(MetricCatalog.of(metrics.registry));
                metrics.reporter.stop();
                context.removeAttribute(HOLDER_ATTRIBUTE);
                RESERVOIRS.remove(metrics.registry);
                if (metrics.created) {
                    context.removeAttribute(REGISTRY_ATTRIBUTE);
                }
            }
        }
    }

    /** New timers for a registry, on the reservoir its web app chose ({@link #RESERVOIR}). */
    public static MetricRegistry.MetricSupplier<Timer> timers(MetricRegistry registry) {
        return RESERVOIRS.getOrDefault(registry, TimerReservoir.LOCK_FREE_EXPONENTIALLY_DECAYING).timers();
    }
}
