package io.breakwater.proxy.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.proxy.balance.Backend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tunnels' figures per backend, labelled like the proxy's other backend figures: open now
 * ({@link #OPEN}), opened in all ({@link #OPENED}) and the bytes relayed each way ({@link #SENT_BYTES},
 * {@link #RECEIVED_BYTES}). A backend's figures appear with its first tunnel. Thread-safe.
 */
final class TunnelMetrics {
    static final MetricFamily OPEN = MetricFamily.gauge("proxy_backend_tunnels_open",
            "Upgraded connections (WebSocket tunnels) open to the backend now.",
            "proxy.{proxy}.backend.{backend}.tunnelsOpen");
    static final MetricFamily OPENED = MetricFamily.counter("proxy_backend_tunnels_opened",
            "Upgraded connections (WebSocket tunnels) opened to the backend.",
            "proxy.{proxy}.backend.{backend}.tunnelsOpened");
    static final MetricFamily SENT_BYTES = MetricFamily.counter("proxy_backend_tunnel_sent_bytes",
            "Bytes relayed through tunnels from clients to the backend.",
            "proxy.{proxy}.backend.{backend}.tunnelBytesSent");
    static final MetricFamily RECEIVED_BYTES = MetricFamily.counter("proxy_backend_tunnel_received_bytes",
            "Bytes relayed through tunnels from the backend to clients.",
            "proxy.{proxy}.backend.{backend}.tunnelBytesReceived");
    private static final List<MetricFamily> FAMILIES = List.of(OPEN, OPENED, SENT_BYTES, RECEIVED_BYTES);

    private final MetricCatalog catalog;
    private final String servletName;
    private final Map<Backend, Figures> figures = new ConcurrentHashMap<>();

    TunnelMetrics(MetricRegistry registry, String servletName) {
        this.catalog = MetricCatalog.of(registry);
        this.servletName = servletName;
    }

    /** The figures of one backend's tunnels; {@link #open} also holds the backend's cap. */
    record Figures(AtomicInteger open, Counter opened, Counter sent, Counter received) {
    }

    Figures of(Backend backend) {
        return figures.computeIfAbsent(backend, this::register);
    }

    private Figures register(Backend backend) {
        String at = backend.hostPort();
        AtomicInteger open = new AtomicInteger();
        catalog.gauge(OPEN, () -> (Gauge<Integer>) open::get, servletName, at);
        return new Figures(open, catalog.counter(OPENED, servletName, at), catalog.counter(SENT_BYTES, servletName, at),
                catalog.counter(RECEIVED_BYTES, servletName, at));
    }

    /** Tunnels open now, over every backend. */
    int openNow() {
        return figures.values().stream().mapToInt(each -> each.open().get()).sum();
    }

    void removed(Backend backend) {
        if (figures.remove(backend) != null) {
            FAMILIES.forEach(family -> catalog.remove(family, servletName, backend.hostPort()));
        }
    }

    void close() {
        List.copyOf(figures.keySet()).forEach(this::removed);
    }
}
