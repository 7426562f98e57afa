package io.breakwater.status.internal;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.breakwater.core.journal.internal.StateJournal;
import io.breakwater.core.json.internal.Json;
import io.breakwater.core.metric.internal.ConcurrencyLimitMetrics;
import io.breakwater.core.metric.internal.ProcessMetrics;
import io.breakwater.core.metric.internal.RouteMetrics;
import io.breakwater.core.status.internal.BackendView;
import io.breakwater.core.status.internal.BreakerView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the status page's JSON: every backend, breaker and route with its live counts (the registry's and the
 * published sources' own values), its rates and sparkline from {@link StatusHistory}, the concurrency limit, the
 * process's figures, and the journal's last changes.
 * Stateless apart from its figures, and thread-safe.
 */
public final class StatusJson {
    private final StatusFigures figures;
    private final StatusHistory history;
    private final StateJournal journal;
    private final Clock clock;

    public StatusJson(StatusFigures figures, StatusHistory history, StateJournal journal, Clock clock) {
        this.figures = figures;
        this.history = history;
        this.journal = journal;
        this.clock = clock;
    }

    public String write(boolean controls) {
        Instant now = clock.instant();
        StringBuilder json = new StringBuilder(8192);
        json.append("{\"time\":");
        Json.string(json, now.toString());
        json.append(",\"controls\":").append(controls);
        json.append(",\"rateWindowSeconds\":").append(StatusHistory.RATE_WINDOW);
        json.append(",\"backends\":[");
        List<BackendView> backends = figures.backends();
        for (int i = 0; i < backends.size(); i++) {
            backend(json.append(i == 0 ? "" : ","), backends.get(i));
        }
        json.append("],\"breakers\":[");
        List<BreakerView> breakers = figures.breakers();
        for (int i = 0; i < breakers.size(); i++) {
            breaker(json.append(i == 0 ? "" : ","), breakers.get(i), now);
        }
        json.append("],\"concurrencyLimit\":");
        concurrencyLimit(json);
        json.append(",\"process\":");
        process(json);
        json.append(",\"routes\":[");
        boolean first = true;
        for (Map.Entry<String, Timer> route : figures.routes().entrySet()) {
            route(json.append(first ? "" : ","), route.getKey(), route.getValue());
            first = false;
        }
        json.append("],\"changes\":[");
        first = true;
        for (StateJournal.Change change : journal.recent()) {
            json.append(first ? "{" : ",{");
            first = false;
            field(json, "time", change.at().toString()).append(',');
            field(json, "kind", change.kind()).append(',');
            field(json, "name", change.name()).append(',');
            field(json, "from", change.from()).append(',');
            field(json, "to", change.to()).append('}');
        }
        return json.append("]}").toString();
    }

    private void backend(StringBuilder json, BackendView backend) {
        json.append('{');
        field(json, "id", backend.id()).append(',');
        field(json, "url", backend.url()).append(',');
        field(json, "state", backend.state()).append(',');
        field(json, "adminState", backend.adminState().name()).append(',');
        json.append("\"healthy\":").append(backend.healthy()).append(',');
        field(json, "ejectedUntil", instant(backend.ejectedUntil())).append(',');
        json.append("\"inFlight\":").append(backend.inFlight());
        json.append(",\"requests\":").append(backend.requests());
        json.append(",\"failures\":").append(backend.failures());
        String requests = StatusHistory.backendKey(backend, "requests");
        number(json.append(",\"requestsPerSecond\":"), history.rate(requests));
        number(json.append(",\"errorPercent\":"),
                history.percent(StatusHistory.backendKey(backend, "failures"), requests));
        latencies(json, backend.latency());
        history(json, history.perSecond(requests));
        json.append('}');
    }

    private static void breaker(StringBuilder json, BreakerView breaker, Instant now) {
        json.append('{');
        field(json, "name", breaker.name()).append(',');
        field(json, "state", breaker.state());
        // Resilience4j says -1 while its window holds fewer than the minimum calls: no rate yet
        number(json.append(",\"failureRate\":"), breaker.failureRate() < 0 ? Double.NaN : breaker.failureRate());
        number(json.append(",\"slowCallRate\":"), breaker.slowCallRate() < 0 ? Double.NaN : breaker.slowCallRate());
        json.append(",\"rejectedCalls\":").append(breaker.rejectedCalls()).append(',');
        field(json, "probeAllowedAt", instant(breaker.probeAllowedAt()));
        json.append(",\"probeInSeconds\":");
        if (breaker.probeAllowedAt() == null) {
            json.append("null");
        } else {
            long millis = Duration.between(now, breaker.probeAllowedAt()).toMillis();
            json.append(Math.max(0, (millis + 999) / 1000));
        }
        json.append('}');
    }

    private void route(StringBuilder json, String route, Timer latency) {
        json.append('{');
        field(json, "route", route);
        json.append(",\"requests\":").append(latency.getCount());
        json.append(",\"responses5xx\":").append(figures.count(RouteMetrics.RESPONSES, route, "5xx"));
        json.append(",\"timeouts\":").append(figures.count(RouteMetrics.TIMEOUTS, route));
        json.append(",\"shed\":").append(figures.count(RouteMetrics.SHED, route));
        // the route's own concurrency limit and the requests under it; null without a limit or before its first request
        json.append(",\"limit\":").append(figures.gaugeValue(ConcurrencyLimitMetrics.ROUTE_LIMIT, route));
        json.append(",\"limitInFlight\":").append(figures.gaugeValue(ConcurrencyLimitMetrics.ROUTE_IN_FLIGHT, route));
        String requests = StatusHistory.routeKey(route, "requests");
        number(json.append(",\"requestsPerSecond\":"), history.rate(requests));
        number(json.append(",\"percent5xx\":"), history.percent(StatusHistory.routeKey(route, "5xx"), requests));
        latencies(json, latency);
        history(json, history.perSecond(requests));
        json.append('}');
    }

    /** The concurrency limit, the requests holding a place under it and those it shed; {@code null} without one. */
    private void concurrencyLimit(StringBuilder json) {
        Object limit = figures.gaugeValue(ConcurrencyLimitMetrics.LIMIT, ConcurrencyLimitMetrics.FILTER);
        if (limit == null) {
            json.append("null");
            return;
        }
        json.append("{\"limit\":").append(limit);
        json.append(",\"inFlight\":")
                .append(figures.gaugeValue(ConcurrencyLimitMetrics.IN_FLIGHT, ConcurrencyLimitMetrics.FILTER));
        json.append(",\"shed\":")
                .append(figures.count(ConcurrencyLimitMetrics.SHED, ConcurrencyLimitMetrics.FILTER)).append('}');
    }

    /**
     * The process the app runs in: uptime, CPU (its time, and its share of the machine as a percent), heap, garbage
     * collection over every collector, live threads, and the open connections where the launcher counts them; a
     * figure the JVM cannot give is {@code null}.
     */
    private void process(StringBuilder json) {
        number(json.append("{\"uptimeSeconds\":"), figures.value(ProcessMetrics.UPTIME));
        Double usage = figures.value(ProcessMetrics.CPU_USAGE);
        number(json.append(",\"cpuPercent\":"), usage == null || usage < 0 ? null : usage * 100);
        number(json.append(",\"cpuSeconds\":"), figures.value(ProcessMetrics.CPU_TIME));
        number(json.append(",\"heapUsedBytes\":"), figures.value(ProcessMetrics.HEAP_USED));
        Double max = figures.value(ProcessMetrics.HEAP_MAX);
        number(json.append(",\"heapMaxBytes\":"), max == null || max < 0 ? null : max);
        number(json.append(",\"gcCollections\":"), figures.total(ProcessMetrics.GC_COLLECTIONS));
        number(json.append(",\"gcSeconds\":"), figures.total(ProcessMetrics.GC_TIME));
        number(json.append(",\"liveThreads\":"), figures.value(ProcessMetrics.LIVE_THREADS));
        number(json.append(",\"openConnections\":"), figures.value(ProcessMetrics.OPEN_CONNECTIONS));
        json.append('}');
    }

    private static void number(StringBuilder json, Double value) {
        number(json, value == null ? Double.NaN : value);
    }

    /** p50 and p99 in milliseconds, {@code null} before the first request. */
    private static void latencies(StringBuilder json, Timer timer) {
        if (timer == null || timer.getCount() == 0) {
            json.append(",\"p50Millis\":null,\"p99Millis\":null");
            return;
        }
        Snapshot snapshot = timer.getSnapshot();
        number(json.append(",\"p50Millis\":"), snapshot.getMedian() / 1e6);
        number(json.append(",\"p99Millis\":"), snapshot.get99thPercentile() / 1e6);
    }

    private static void history(StringBuilder json, List<Long> points) {
        json.append(",\"history\":[");
        for (int i = 0; i < points.size(); i++) {
            json.append(i == 0 ? "" : ",").append(points.get(i));
        }
        json.append(']');
    }

    /** ISO-8601, or {@code ""} for none. */
    private static String instant(Instant at) {
        return at == null ? "" : at.toString();
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":");
        Json.string(json, value);
        return json;
    }

    /** Three decimals at most, {@code null} for no value. */
    private static void number(StringBuilder json, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            json.append("null");
        } else {
            json.append(String.format(Locale.ROOT, "%.3f", value).replaceAll("\\.?0+$", ""));
        }
    }
}
