package io.breakwater.limit;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.Priority;
import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.ConcurrencyLimitMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.RouteMetrics;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.OperatorEndpoint;
import io.breakwater.core.servlet.SelfLimiting;
import io.breakwater.core.servlet.internal.AsyncCompletion;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.RouteAnswers;
import io.breakwater.core.servlet.internal.TimedFilter;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.NanoClock;
import io.breakwater.limit.internal.ConcurrencyLimitConfig.CriticalHeader;
import io.breakwater.limit.internal.ConcurrencyLimitConfig.PathMode;
import io.breakwater.limit.internal.ConcurrencyLimitConfig;
import io.breakwater.limit.internal.RouteLimits.Permit;
import io.breakwater.limit.internal.RouteLimits;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Sheds load before the app drowns: admits a request while its route's requests in flight are under the route's
 * adaptive limit and the app's under {@code maxConcurrencyLimit}, holds its place until it ends (an asynchronous one
 * until its async cycle completes), and answers the rest at once with 503 {@code OVERLOADED} and
 * {@code Retry-After}, before the later filters and the app spend anything on them. Each route's limit follows the
 * latency that route's admitted requests see (concurrency-limits' Vegas by default, see {@link RouteLimits}), so
 * one route's hanging dependency sheds that route alone. Critical requests (a configured header, or {@code critical} paths) are shed last;
 * {@link OperatorEndpoint} and {@link SelfLimiting} servlets and {@code off} paths are never limited. Only the first
 * dispatch takes a place; async, error and include dispatches belong to its request. A shed answer counts on its
 * route even where this filter comes first. Thread-safe.
 */
public class ConcurrencyLimitFilter extends TimedFilter<Permit> {
    /** Seconds a shed client is asked to wait: the limit moves within a second of windows. */
    static final String RETRY_AFTER_SECONDS = "1";
    private static final Map<String, String> RETRY_AFTER = Map.of("Retry-After", RETRY_AFTER_SECONDS);

    private final NanoClock clock;
    private final ConcurrentMap<String, Boolean> unlimitedServlets = new ConcurrentHashMap<>();
    private ConcurrencyLimitConfig config;
    private ServletContext context;
    private MetricRegistry registry;
    private MetricCatalog catalog;
    private Counter shed;
    private RouteLimits limit;

    public ConcurrencyLimitFilter() {
        this(Clock.systemUTC());
    }

    /** With the clock that the admitted requests' latency is measured on. */
    public ConcurrencyLimitFilter(Clock clock) {
        this.clock = NanoClock.of(clock);
    }

    @Override
    protected void start(FilterConfig filterConfig) throws ServletException {
        config = ConfigReader.read(filterConfig, ConcurrencyLimitConfig::read);
        context = filterConfig.getServletContext();
        registry = BreakwaterMetrics.acquire(context);
        catalog = MetricCatalog.of(registry);
        FilterMetrics metrics = new FilterMetrics(registry, ConcurrencyLimitMetrics.FILTER);
        shed = metrics.counter(ConcurrencyLimitMetrics.SHED);
        measureIn(metrics);
        limit = new RouteLimits(config, clock, this::publish);
        RouteLimits current = limit;
        // replaced, not reused: a gauge of an earlier deployment on an app-supplied registry reads a dead limit
        catalog.remove(ConcurrencyLimitMetrics.LIMIT, ConcurrencyLimitMetrics.FILTER);
        metrics.gauge(ConcurrencyLimitMetrics.LIMIT, () -> (Gauge<Integer>) current::limit);
        catalog.remove(ConcurrencyLimitMetrics.IN_FLIGHT, ConcurrencyLimitMetrics.FILTER);
        metrics.gauge(ConcurrencyLimitMetrics.IN_FLIGHT, () -> (Gauge<Integer>) current::inFlight);
    }

    @Override
    protected Object admit(HttpServletRequest request, HttpServletResponse response, long start) throws IOException {
        Optional<PathMode> mode = config.hasPathModes() ? config.modeOf(pathOf(request)) : Optional.empty();
        if (mode.orElse(null) == PathMode.OFF || isUnlimitedServlet(request)) {
            return PASS;
        }
        boolean critical = mode.orElse(null) == PathMode.CRITICAL || isCritical(request, config.criticalHeader());
        String route = Routes.of(request);
        Permit permit = limit.tryAcquire(route, critical, clock.at(start));
        if (permit == null) {
            shed(request, response, route);
            return ANSWERED;
        }
        return permit;
    }

    private void shed(HttpServletRequest request, HttpServletResponse response, String route) throws IOException {
        shed.inc();
        catalog.counter(RouteMetrics.SHED, route).inc();
        ErrorResponse.send(request, response, ErrorCode.OVERLOADED, RETRY_AFTER);
    }

    private static boolean isCritical(HttpServletRequest request, Optional<CriticalHeader> header) {
        return header.isPresent() && header.get().value().equals(request.getHeader(header.get().name()));
    }

    /** Whether the request's servlet answers probes or operators; asked of the context once per servlet. */
    private boolean isUnlimitedServlet(HttpServletRequest request) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        String servlet = mapping == null ? null : mapping.getServletName();
        if (servlet == null) {
            return false;
        }
        Boolean unlimited = unlimitedServlets.get(servlet);
        if (unlimited == null) {
            unlimited = unlimitedServlets.computeIfAbsent(servlet, this::isOperatorOrSelfLimiting);
        }
        return unlimited;
    }

    private boolean isOperatorOrSelfLimiting(String servletName) {
        ServletRegistration registration = context.getServletRegistration(servletName);
        if (registration == null || registration.getClassName() == null) {
            return false;
        }
        // an embedded context may have no loader of its own: then the servlet is on Breakwater's
        ClassLoader loader = context.getClassLoader();
        try {
            Class<?> type = Class.forName(registration.getClassName(), false,
                    loader != null ? loader : ConcurrencyLimitFilter.class.getClassLoader());
            return OperatorEndpoint.class.isAssignableFrom(type) || SelfLimiting.class.isAssignableFrom(type);
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String pathOf(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return pathInfo == null ? request.getServletPath() : request.getServletPath() + pathInfo;
    }

    /** The limit now, for tests. */
    int limit() {
        return limit.limit();
    }

    /** One route's limit now, or {@code -1} before its first request, for tests. */
    int limit(String route) {
        return limit.limit(route);
    }

    /** Requests holding a place now, for tests. */
    int inFlight() {
        return limit.inFlight();
    }

    @Override
    public void destroy() {
        if (context == null) {
            return;
        }
        catalog.remove(ConcurrencyLimitMetrics.LIMIT, ConcurrencyLimitMetrics.FILTER);
        catalog.remove(ConcurrencyLimitMetrics.IN_FLIGHT, ConcurrencyLimitMetrics.FILTER);
        for (String route : limit.routes()) {
            catalog.remove(ConcurrencyLimitMetrics.ROUTE_LIMIT, route);
            catalog.remove(ConcurrencyLimitMetrics.ROUTE_IN_FLIGHT, route);
        }
        BreakwaterMetrics.release(context);
    }

    /** A route's first request: its own limit and the requests under it, as figures labelled with the route. */
    private void publish(String route) {
        RouteLimits current = limit;
        // replaced, not reused: a gauge of an earlier deployment on an app-supplied registry reads a dead limit
        catalog.remove(ConcurrencyLimitMetrics.ROUTE_LIMIT, route);
        catalog.gauge(ConcurrencyLimitMetrics.ROUTE_LIMIT, () -> (Gauge<Integer>) () -> current.limit(route), route);
        catalog.remove(ConcurrencyLimitMetrics.ROUTE_IN_FLIGHT, route);
        catalog.gauge(ConcurrencyLimitMetrics.ROUTE_IN_FLIGHT, () -> (Gauge<Integer>) () -> current.inFlight(route),
                route);
    }
}
