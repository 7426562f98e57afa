package io.breakwater.circuit;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.Priority;
import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.circuit.internal.BreakerStatus;
import io.breakwater.circuit.internal.CircuitBreakerSettings;
import io.breakwater.circuit.internal.GuardedCall;
import io.breakwater.core.breaker.internal.Breaker;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.RouteAnswers;
import io.breakwater.core.servlet.internal.TimedFilter;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.core.time.internal.NanoClock;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a route that keeps failing or crawling off for a while, then lets a few probes through to see whether it
 * recovered: one Resilience4j breaker per route (servlet mapping pattern), in the web app's one registry. While
 * open, requests are answered 503 {@code CIRCUIT_OPEN} with {@code Retry-After} and never reach the servlet.
 * Failures are exceptions, the configured statuses and timeouts; 4xx answers, clients that went away and the suite's
 * own refusals ({@link io.breakwater.core.error.Refusal}: no healthy backend, shed, no connection in time) are not.
 * Only the first dispatch takes a permission: async, error and include dispatches belong to its call. Thread-safe.
 */
public class CircuitBreakerFilter extends TimedFilter<GuardedCall> {
    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerFilter.class);
    private final Clock clock;
    private final NanoClock callClock;
    private final ConcurrentMap<String, Optional<Breaker>> breakers = new ConcurrentHashMap<>();
    private CircuitBreakerSettings settings;
    private ServletContext context;
    private CircuitBreakerRegistry registry;
    private MetricRegistry metricRegistry;
    private Counter rejections;
    private String statusName;

    public CircuitBreakerFilter() {
        this(Clock.systemUTC());
    }

    /** With the clock that the breakers' windows, waits and slow-call durations are measured on. */
    public CircuitBreakerFilter(Clock clock) {
        this.clock = clock;
        this.callClock = NanoClock.of(clock);
    }

    @Override
    protected void start(FilterConfig filterConfig) throws ServletException {
        settings = ConfigReader.read(filterConfig, CircuitBreakerSettings::read);
        context = filterConfig.getServletContext();
        Routes.configure(context);
        registry = BreakerRegistry.of(context);
        metricRegistry = BreakwaterMetrics.acquire(context);
        FilterMetrics metrics = new FilterMetrics(metricRegistry, FilterMetrics.CIRCUIT_BREAKER_FILTER);
        rejections = metrics.counter(FilterMetrics.REJECTIONS);
        measureIn(metrics);
        statusName = "circuit " + filterConfig.getFilterName();
        StatusSources.of(context).publish(statusName, new BreakerStatus(breakers));
    }

    @Override
    protected Object admit(HttpServletRequest request, HttpServletResponse response, long start)
            throws IOException {
        Optional<Breaker> guard = breakerOf(request);
        if (guard.isEmpty()) {
            return PASS;
        }
        Breaker breaker = guard.get();
        if (!breaker.tryAcquire()) {
            rejections.inc();
            ErrorResponse.send(request, response, ErrorCode.CIRCUIT_OPEN,
                    Map.of("Retry-After", Long.toString(breaker.retryAfterSeconds())));
            return ANSWERED;
        }
        return new GuardedCall(breaker, settings, callClock, request, callClock.at(start));
    }

    private Optional<Breaker> breakerOf(HttpServletRequest request) {
        String route = Routes.of(request);
        String name = nameOf(request, route);
        Optional<Breaker> breaker = breakers.get(name);
        if (breaker == null) {
            breaker = breakers.computeIfAbsent(name, key -> settings.forRoute(route, clock)
                    .map(config -> new Breaker(registry.circuitBreaker(key, config), settings, clock,
                            metricRegistry, LOG, "route").publish(context)));
        }
        return breaker;
    }

    private String nameOf(HttpServletRequest request, String route) {
        switch (settings.breakerName()) {
            case "route":
                return route;
            case "servlet":
                HttpServletMapping mapping = request.getHttpServletMapping();
                return mapping == null || mapping.getServletName() == null ? route : mapping.getServletName();
            default:
                return settings.breakerName();
        }
    }

    @Override
    public void destroy() {
        if (context == null) {
            return;
        }
        StatusSources.of(context).withdraw(statusName);
        breakers.forEach((name, breaker) -> breaker.ifPresent(b -> {
            b.unpublish();
            registry.remove(name);
        }));
        breakers.clear();
        BreakwaterMetrics.release(context);
    }
}
