package io.breakwater.guard;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.breaker.internal.Breaker;
import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.error.internal.ClientMistake;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.error.internal.LoggedIds;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.internal.ClientConnection;
import io.breakwater.core.servlet.internal.GatedResponse;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.core.time.internal.ContextScheduler;
import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.guard.internal.GuardSettings;
import io.breakwater.guard.internal.GuardStatus;
import io.breakwater.guard.internal.GuardedExchange;
import io.breakwater.guard.internal.GuardedFilterConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards one filter of the app: a deadline on its own work ({@code guardTimeout}; what runs downstream never
 * counts), a Resilience4j breaker of its own that judges only the filter's own failures (what it throws itself, and
 * its deadlines; what the rest of the chain throws passes through unjudged), and its figures and controls under its
 * name. In {@code web.xml}, the filter's class is init-param {@code filter}, and every init-param that is not the
 * guard's reaches the filter; from code, the guard is handed the filter or its class. The filter is initialised and
 * destroyed with the guard, with the guard's filter name and context. Thread-safe when the guarded filter is.
 */
public class GuardedFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedFilter.class);
    private static final Throwable TIMED_OUT = new GuardFailure("the filter ran past its own deadline");
    /** The guard's own name labels its figures, breaker and status row. */
    private static final String FILTER_NAME = "filter-name";

    private final Clock clock;
    private Filter filter;
    private Class<? extends Filter> filterClass;
    private GuardSettings settings;
    private ServletContext context;
    private String name;
    private FilterMetrics metrics;
    private Counter timeouts;
    private Counter rejections;
    private Counter skips;
    private Meter successes;
    private Meter failures;
    private Breaker breaker;
    private TimeoutScheduler scheduler;
    private long timeoutNanos;
    /** One for the filter, not a lambda per request. */
    private final GuardedExchange.TimeoutListener timeoutListener = this::timedOut;
    private String statusName;
    private boolean filterStarted;

    /** For {@code web.xml}: the filter to guard is named by init-param {@code filter}. */
    public GuardedFilter() {
        this.clock = Clock.systemUTC();
    }

    /** Guards this filter instance; the guard initialises and destroys it. */
    public GuardedFilter(Filter filter) {
        this(filter, Clock.systemUTC());
    }

    /** Guards a new instance of this class, made by the container as it would make the filter itself. */
    public GuardedFilter(Class<? extends Filter> filterClass) {
        this.clock = Clock.systemUTC();
        this.filterClass = Objects.requireNonNull(filterClass);
    }

    /** Guards this filter instance, with the clock its breaker's window and waits are measured on. */
    public GuardedFilter(Filter filter, Clock clock) {
        this.clock = clock;
        this.filter = Objects.requireNonNull(filter);
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        ConfigReader reader = ConfigReader.of(filterConfig);
        settings = GuardSettings.read(reader);
        context = filterConfig.getServletContext();
        name = filterConfig.getFilterName();
        if (FilterMetrics.SUITE_FILTERS.contains(name)) {
            throw ConfigException.rejected(FILTER_NAME, "a name other than those of Breakwater's own filters' figures ("
                    + String.join(", ", FilterMetrics.SUITE_FILTERS) + ")", name);
        }
        if (filter == null) {
            filter = instantiate(filterClass != null ? filterClass : loadFilterClass(reader));
        }
        Routes.configure(context);
        MetricRegistry registry = BreakwaterMetrics.acquire(context);
        metrics = new FilterMetrics(registry, name);
        timeouts = metrics.counter(FilterMetrics.TIMEOUTS);
        rejections = metrics.counter(FilterMetrics.REJECTIONS);
        skips = metrics.counter(FilterMetrics.SKIPS);
        MetricCatalog catalog = MetricCatalog.of(registry);
        successes = catalog.meter(FilterMetrics.OUTCOMES, name, "success");
        failures = catalog.meter(FilterMetrics.OUTCOMES, name, "failure");
        breaker = new Breaker(CircuitBreaker.of(name, settings.breakerConfig(clock)), settings, clock, registry, LOG,
                "filter").publish(context);
        Breaker published = breaker;
        metrics.gauge(Breaker.FILTER_STATE, () -> (Gauge<Integer>) published::stateOrder);
        statusName = "guard " + name;
        StatusSources.of(context).publish(statusName, new GuardStatus(breaker));
        filter.init(new GuardedFilterConfig(filterConfig, GuardSettings.OWN_NAMES));
        filterStarted = true;
        timeoutNanos = settings.guardTimeout().toNanos();
        if (timeoutNanos != 0) {
            scheduler = ContextScheduler.acquire(context); // the app's one deadline thread, whatever its filters
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            filter.doFilter(req, res, chain); // no answer is possible but an HTTP one: the filter runs unguarded
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!breaker.tryAcquire()) {
            refuse(request, response, chain);
            return;
        }
        long start = System.nanoTime();
        GuardedExchange exchange = new GuardedExchange(request, response, chain, ErrorCode.TIMEOUT, scheduler,
                timeoutNanos, timeoutListener, start);
        Throwable thrown = null;
        try {
            // without a deadline nothing ever closes the gate: the response needs no wrapper
            filter.doFilter(request, scheduler == null ? response : new GatedResponse(response, exchange.gate()),
                    exchange);
        } catch (Throwable e) { // a checked exception thrown undeclared, too: the exchange must still end
            thrown = e;
        }
        long end = System.nanoTime();
        boolean inTime = exchange.returnedInTime(end);
        long own = exchange.ownNanos();
        metrics.record(own, end);
        if (!inTime) {
            failures.mark();
            breaker.failed(own, TIMED_OUT);
            if (thrown != null) {
                LOG.debug("guarded filter failed after its own deadline", thrown);
            }
            exchange.finishTimedOut();
            return;
        }
        if (thrown == null) {
            successes.mark();
            breaker.succeeded(own);
            return;
        }
        judge(request, response, thrown, exchange, own);
        throw GuardedFilter.<RuntimeException>unchecked(thrown);
    }

    /** The breaker is open: the request is answered {@code CIRCUIT_OPEN}, or bypasses an optional filter. */
    private void refuse(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (settings.skipWhenOpen()) {
            skips.inc();
            chain.doFilter(request, response);
            return;
        }
        rejections.inc();
        ErrorResponse.send(request, response, ErrorCode.CIRCUIT_OPEN,
                Map.of("Retry-After", Long.toString(breaker.retryAfterSeconds())));
    }

    /**
     * What the filter threw in time: the rest of the chain's failure passing through is the route's, and the call is
     * not judged; a client that went away says nothing; a client's mistake ({@code BAD_REQUEST} and the like, or the
     * container's rejection of a malformed request the filter read) is no failure of the filter; anything else is its
     * own failure.
     */
    private void judge(HttpServletRequest request, HttpServletResponse response, Throwable thrown,
            GuardedExchange exchange, long own) {
        if (exchange.threwDownstream(thrown) || ClientConnection.failed(response)) {
            breaker.released();
            return;
        }
        if (ClientMistake.isCause(thrown)) {
            successes.mark();
            breaker.succeeded(own);
            return;
        }
        failures.mark();
        metrics.failure(thrown);
        // the filter's fault, not the route's: a route breaker in front lets the failure pass unjudged
        Refusal.mark(request);
        LOG.warn("guarded filter failed: requestId={} filter={} exception={}", RequestIds.of(request), name,
                thrown.getClass().getName());
        breaker.failed(own, thrown);
    }

    /** Counts and logs a timeout, on the scheduler's thread: the one log line of it, whatever the filter does later. */
    private void timedOut(HttpServletRequest request) {
        timeouts.inc();
        // the filter's fault, not the route's: a route breaker in front lets the answer pass unjudged
        Refusal.mark(request);
        String requestId = RequestIds.of(request);
        String previousId = LoggedIds.enter(requestId);
        try {
            LOG.warn("guarded filter timed out after {}: requestId={} filter={} method={} route={}",
                    settings.guardTimeout().toMillis() + "ms", requestId, name, request.getMethod(),
                    Routes.of(request));
        } finally {
            LoggedIds.restore(previousId);
        }
    }

    @Override
    public void destroy() {
        if (filterStarted) {
            filter.destroy();
            filterStarted = false;
        }
        if (scheduler != null) {
            ContextScheduler.release(context);
            scheduler = null;
        }
        if (breaker == null) {
            return; // its start failed before it published anything
        }
        StatusSources.of(context).withdraw(statusName);
        breaker.unpublish();
        BreakwaterMetrics.release(context);
    }

    /** The filter's configured name, as its figures, breaker and status row are labelled. */
    String name() {
        return name;
    }

    /** The app's scheduler this guard's deadlines are on, for tests; {@code null} when {@code guardTimeout} is off. */
    TimeoutScheduler scheduler() {
        return scheduler;
    }

    private Class<? extends Filter> loadFilterClass(ConfigReader reader) {
        String className = GuardSettings.filterClass(reader);
        ClassLoader loader = context.getClassLoader();
        try {
            Class<?> type = Class.forName(className, false, loader != null ? loader : GuardedFilter.class
                    .getClassLoader());
            if (Filter.class.isAssignableFrom(type)) {
                return type.asSubclass(Filter.class);
            }
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.debug("could not load the guarded filter's class", e);
        }
        throw ConfigException.rejected(GuardSettings.FILTER.name(), GuardSettings.FILTER.accepted(), className);
    }

    /** The container makes the filter when it can (so that it injects it as its own), else its constructor does. */
    private Filter instantiate(Class<? extends Filter> type) throws ServletException {
        try {
            return context.createFilter(type);
        } catch (UnsupportedOperationException | IllegalStateException notHere) {
            LOG.debug("the container does not make the guarded filter here; its constructor does", notHere);
        }
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw ConfigException.rejected(GuardSettings.FILTER.name(), GuardSettings.FILTER.accepted()
                    + " and has a public no-argument constructor", type.getName());
        }
    }

    /** Rethrows what the filter threw as it was: {@code doFilter} declares what the filter may throw. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable thrown) throws T {
        throw (T) thrown;
    }

    /** What the breaker records for a deadline; it has no stack trace, being no bug. */
    private static final class GuardFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GuardFailure(String message) {
            super(message, null, false, false);
        }
    }
}
