package io.breakwater.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import jakarta.servlet.ServletContext;

/**
 * The web app's one {@link MetricRegistry}, at context attribute {@value #REGISTRY_ATTRIBUTE}: the app's own if it
 * put one there first, else one created here, once and on purpose. While any Breakwater component holds it, the
 * whole registry is published over JMX in domain {@value #JMX_DOMAIN}; the last one to release it stops the
 * publishing, so an undeployed app leaves no MBean behind. Thread-safe.
 */
public final class BreakwaterMetrics {
    public static final String REGISTRY_ATTRIBUTE = "io.breakwater.metrics.registry";
    public static final String JMX_DOMAIN = "breakwater";
    private static final String HOLDER_ATTRIBUTE = "io.breakwater.metrics.holder";

    private final MetricRegistry registry;
    private final JmxReporter reporter;
    private int holders;

    private BreakwaterMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.reporter = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN).build();
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
                MetricRegistry registry = existing != null ? (MetricRegistry) existing : new MetricRegistry();
                context.setAttribute(REGISTRY_ATTRIBUTE, registry);
                metrics = new BreakwaterMetrics(registry);
                metrics.reporter.start();
                context.setAttribute(HOLDER_ATTRIBUTE, metrics);
            }
            metrics.holders++;
            return metrics.registry;
        }
    }

    /** Gives back a hold; the last one stops JMX publishing. */
    public static void release(ServletContext context) {
        synchronized (context) {
            BreakwaterMetrics metrics = (BreakwaterMetrics) context.getAttribute(HOLDER_ATTRIBUTE);
            if (metrics != null && --metrics.holders == 0) {
                metrics.reporter.stop();
                context.removeAttribute(HOLDER_ATTRIBUTE);
            }
        }
    }
}
