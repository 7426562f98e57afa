package io.breakwater.proxy;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.metrics.BreakwaterMetrics;
import io.breakwater.metrics.Jmx;
import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.ServletContext;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * The proxy's figures in the app's registry, under {@code proxy.<servlet name>.}: per backend
 * ({@code backend.<host:port>.requests}, {@code failures}, {@code inFlight}, {@code healthy}, {@code latency}) and
 * the counts of {@code retries}, {@code failovers}, {@code hedges}, {@code hedgeWins}, {@code hedgesOverBudget} and
 * {@code clientFaults.<kind>} (see {@link ClientFault}); and one {@code Backend} MBean per backend. Thread-safe.
 */
final class ProxyMetrics {
    private final MetricRegistry registry;
    private final ServletContext context;
    private final String servletName;
    private final String prefix;
    private final Counter retries;
    private final Counter failovers;
    private final Counter hedges;
    private final Counter hedgeWins;
    private final Counter hedgesOverBudget;
    private final Map<ClientFault, Counter> clientFaults = new EnumMap<>(ClientFault.class);
    private final Map<Backend, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<Backend, ObjectName> mbeans = new ConcurrentHashMap<>();

    ProxyMetrics(MetricRegistry registry, ServletContext context, String servletName) {
        this.registry = registry;
        this.context = context;
        this.servletName = servletName;
        this.prefix = "proxy." + servletName + ".";
        this.retries = registry.counter(prefix + "retries");
        this.failovers = registry.counter(prefix + "failovers");
        this.hedges = registry.counter(prefix + "hedges");
        this.hedgeWins = registry.counter(prefix + "hedgeWins");
        this.hedgesOverBudget = registry.counter(prefix + "hedgesOverBudget");
        for (ClientFault fault : ClientFault.values()) {
            clientFaults.put(fault, registry.counter(clientFaultName(fault)));
        }
    }

    private String clientFaultName(ClientFault fault) {
        return prefix + "clientFaults." + fault.metricName;
    }

    void added(Backend backend) {
        String name = backendPrefix(backend);
        registry.gauge(name + "requests", () -> (Gauge<Long>) backend::getRequests);
        registry.gauge(name + "failures", () -> (Gauge<Long>) backend::getFailures);
        registry.gauge(name + "inFlight", () -> (Gauge<Integer>) backend::getInFlight);
        registry.gauge(name + "healthy", () -> (Gauge<Integer>) () -> backend.isAvailable() ? 1 : 0);
        // the reservoir the app chose, lock-free by default: the default one's lock was taken by every answer
        latencies.put(backend, registry.timer(name + "latency", BreakwaterMetrics.timers(registry)));
        mbeans.put(backend, Jmx.register(backend, Jmx.name(context, "Backend", servletName + " " + backend.key())));
    }

    void removed(Backend backend) {
        String name = backendPrefix(backend);
        registry.removeMatching((metricName, metric) -> metricName.startsWith(name));
        latencies.remove(backend);
        ObjectName mbean = mbeans.remove(backend);
        if (mbean != null) {
            Jmx.unregister(mbean);
        }
    }

    void latency(Backend backend, long nanos) {
        Timer timer = latencies.get(backend);
        if (timer != null) {
            timer.update(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void retry() {
        retries.inc();
    }

    void failover() {
        failovers.inc();
    }

    void hedge() {
        hedges.inc();
    }

    void hedgeWon() {
        hedgeWins.inc();
    }

    void hedgeOverBudget() {
        hedgesOverBudget.inc();
    }

    void clientFault(ClientFault fault) {
        clientFaults.get(fault).inc();
    }

    void close() {
        for (ClientFault fault : ClientFault.values()) {
            registry.remove(clientFaultName(fault));
        }
        mbeans.keySet().forEach(this::removed);
        registry.remove(prefix + "retries");
        registry.remove(prefix + "failovers");
        registry.remove(prefix + "hedges");
        registry.remove(prefix + "hedgeWins");
        registry.remove(prefix + "hedgesOverBudget");
    }

    private String backendPrefix(Backend backend) {
        return prefix + "backend." + backend.hostPort() + ".";
    }
}
