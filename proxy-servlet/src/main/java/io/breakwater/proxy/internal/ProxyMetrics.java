package io.breakwater.proxy.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.ServletContext;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * The proxy's figures in the app's registry, labelled with the servlet's name: per backend ({@link #REQUESTS},
 * {@link #FAILURES}, {@link #IN_FLIGHT}, {@link #HEALTHY}, {@link #LATENCY}, labelled {@code host:port}) and the
 * counts of {@link #RETRIES}, {@link #FAILOVERS}, {@link #HEDGES}, {@link #HEDGE_WINS},
 * {@link #HEDGES_OVER_BUDGET}, {@link #RETRIES_OVER_BUDGET} and {@link #CLIENT_FAULTS} by kind (see
 * {@code ClientFault});
 * one {@code Backend} MBean per backend; and the backends on the status page ({@link BackendStatus}).
 * Thread-safe.
 */
public final class ProxyMetrics {
    static final MetricFamily RETRIES = MetricFamily.counter("proxy_retries",
            "Tries of a request again after a failed one.", "proxy.{proxy}.retries");
    static final MetricFamily FAILOVERS = MetricFamily.counter("proxy_failovers",
            "Retries that went to another backend.", "proxy.{proxy}.failovers");
    static final MetricFamily HEDGES = MetricFamily.counter("proxy_hedges",
            "Second tries sent while the first was still under way.", "proxy.{proxy}.hedges");
    static final MetricFamily HEDGE_WINS = MetricFamily.counter("proxy_hedge_wins",
            "Hedged requests whose second try answered first.", "proxy.{proxy}.hedgeWins");
    static final MetricFamily HEDGES_OVER_BUDGET = MetricFamily.counter("proxy_hedges_over_budget",
            "Hedges not sent because the hedge budget was spent.", "proxy.{proxy}.hedgesOverBudget");
    static final MetricFamily RETRIES_OVER_BUDGET = MetricFamily.counter("proxy_retries_over_budget",
            "Retries not sent because the retry budget was spent.", "proxy.{proxy}.retriesOverBudget");
    static final MetricFamily CLIENT_FAULTS = MetricFamily.counter("proxy_client_faults",
            "Requests whose client spoiled its own try, by kind; never counted against a backend.",
            "proxy.{proxy}.clientFaults.{kind}");
    static final MetricFamily REQUESTS = MetricFamily.counter("proxy_backend_requests",
            "Tries sent to the backend.", "proxy.{proxy}.backend.{backend}.requests");
    static final MetricFamily FAILURES = MetricFamily.counter("proxy_backend_failures",
            "Tries the backend failed (its own failures only, never the client's).",
            "proxy.{proxy}.backend.{backend}.failures");
    static final MetricFamily IN_FLIGHT = MetricFamily.gauge("proxy_backend_in_flight",
            "Tries under way at the backend.", "proxy.{proxy}.backend.{backend}.inFlight");
    static final MetricFamily HEALTHY = MetricFamily.gauge("proxy_backend_healthy",
            "1 while the backend may be chosen, else 0.", "proxy.{proxy}.backend.{backend}.healthy");
    static final MetricFamily LATENCY = MetricFamily.timer("proxy_backend_latency",
            "Time from a try's start to the backend's whole answer.", "proxy.{proxy}.backend.{backend}.latency");
    private static final List<MetricFamily> COUNTS = List.of(RETRIES, FAILOVERS, HEDGES, HEDGE_WINS,
            HEDGES_OVER_BUDGET, RETRIES_OVER_BUDGET);
    private static final List<MetricFamily> PER_BACKEND = List.of(REQUESTS, FAILURES, IN_FLIGHT, HEALTHY, LATENCY);

    private final MetricCatalog catalog;
    private final ServletContext context;
    private final String servletName;
    private final Counter retries;
    private final Counter failovers;
    private final Counter hedges;
    private final Counter hedgeWins;
    private final Counter hedgesOverBudget;
    private final Counter retriesOverBudget;
    private final Map<ClientFault, Counter> clientFaults = new EnumMap<>(ClientFault.class);
    private final Map<Backend, Timer> latencies = new ConcurrentHashMap<>();
    private final Map<Backend, ObjectName> mbeans = new ConcurrentHashMap<>();
    private final BackendStatus status;

    public ProxyMetrics(MetricRegistry registry, ServletContext context, String servletName) {
        this.catalog = MetricCatalog.of(registry);
        this.context = context;
        this.servletName = servletName;
        this.retries = catalog.counter(RETRIES, servletName);
        this.failovers = catalog.counter(FAILOVERS, servletName);
        this.hedges = catalog.counter(HEDGES, servletName);
        this.hedgeWins = catalog.counter(HEDGE_WINS, servletName);
        this.hedgesOverBudget = catalog.counter(HEDGES_OVER_BUDGET, servletName);
        this.retriesOverBudget = catalog.counter(RETRIES_OVER_BUDGET, servletName);
        for (ClientFault fault : ClientFault.values()) {
            clientFaults.put(fault, catalog.counter(CLIENT_FAULTS, servletName, fault.metricName));
        }
        this.status = new BackendStatus(servletName, latencies);
        StatusSources.of(context).publish(statusName(), status);
    }

    private String statusName() {
        return "proxy " + servletName;
    }

    public void added(Backend backend) {
        String at = backend.hostPort();
        catalog.gauge(REQUESTS, () -> (Gauge<Long>) backend::getRequests, servletName, at);
        catalog.gauge(FAILURES, () -> (Gauge<Long>) backend::getFailures, servletName, at);
        catalog.gauge(IN_FLIGHT, () -> (Gauge<Integer>) backend::getInFlight, servletName, at);
        catalog.gauge(HEALTHY, () -> (Gauge<Integer>) () -> backend.isAvailable() ? 1 : 0, servletName, at);
        // the reservoir the app chose, lock-free by default: the default one's lock was taken by every answer
        latencies.put(backend, catalog.timer(LATENCY, BreakwaterMetrics.timers(catalog.registry()), servletName, at));
        mbeans.put(backend, Jmx.register(backend, Jmx.name(context, "Backend", status.id(backend))));
    }

    public void removed(Backend backend) {
        PER_BACKEND.forEach(family -> catalog.remove(family, servletName, backend.hostPort()));
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

    /** The count of retries the retry budget refused. */
    public Counter retriesOverBudget() {
        return retriesOverBudget;
    }

    public void clientFault(ClientFault fault) {
        clientFaults.get(fault).inc();
    }

    public void close() {
        StatusSources.of(context).withdraw(statusName());
        mbeans.keySet().forEach(this::removed);
        COUNTS.forEach(family -> catalog.remove(family, servletName));
        for (ClientFault fault : ClientFault.values()) {
            catalog.remove(CLIENT_FAULTS, servletName, fault.metricName);
        }
    }
}
