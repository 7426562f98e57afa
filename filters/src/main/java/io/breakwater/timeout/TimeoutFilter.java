package io.breakwater.timeout;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.Priority;
import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.error.internal.LoggedIds;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.RouteMetrics;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.internal.GatedResponse;
import io.breakwater.core.servlet.internal.RouteAnswers;
import io.breakwater.core.servlet.internal.TimedFilter;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.NanoClock;
import io.breakwater.core.time.internal.ContextScheduler;
import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.timeout.internal.TimedExchange;
import io.breakwater.timeout.internal.TimeoutConfig;
import io.breakwater.timeout.internal.TimeoutRequest;
import jakarta.servlet.DispatcherType;
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
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request a deadline and keeps it: the chain runs on the request's own thread, and one task on a
 * shared scheduler thread answers {@code TIMEOUT} (503, or the configured status) if the deadline passes first,
 * interrupts the handler and drops whatever it does afterwards. The deadline is in request attribute
 * {@value Deadline#ATTRIBUTE} for downstream code, and bounds async cycles too, on the same scheduler rather than
 * the container's async timeout (a lock per request on the container's scheduler): an async dispatch keeps the
 * deadline its request got. Thread-safe.
 */
public class TimeoutFilter extends TimedFilter<TimeoutRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutFilter.class);

    private final NanoClock nanoClock;
    /** Made once, not for each request. */
    private final TimedExchange.TimeoutListener onTimeout = this::timedOut;
    private TimeoutConfig config;
    private ServletContext context;
    private MetricCatalog catalog;
    private FilterMetrics metrics;
    private TimeoutScheduler scheduler;

    public TimeoutFilter() {
        this(Clock.systemUTC());
    }

    TimeoutFilter(Clock clock) {
        this.nanoClock = NanoClock.of(clock);
    }

    @Override
    protected void start(FilterConfig filterConfig) throws ServletException {
        config = ConfigReader.read(filterConfig, TimeoutConfig::read);
        context = filterConfig.getServletContext();
        Routes.configure(context);
        MetricRegistry registry = BreakwaterMetrics.acquire(context);
        catalog = MetricCatalog.of(registry);
        metrics = new FilterMetrics(registry, FilterMetrics.TIMEOUT_FILTER);
        measureIn(metrics);
        scheduler = ContextScheduler.acquire(context);
    }

    /** An async dispatch of a request whose committed answer ran past its deadline fails, so that it is aborted. */
    @Override
    protected void passOn(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() == DispatcherType.ASYNC
                && request.getAttribute(TimedExchange.ABORT_ATTRIBUTE) != null) {
            throw new BreakwaterException(config.errorCode());
        }
        chain.doFilter(request, response);
    }

    @Override
    protected Object admit(HttpServletRequest request, HttpServletResponse response, long start) {
        Duration timeout = config.hasPathOverrides()
                ? config.timeoutFor(Routes.of(request), Routes.pathOf(request)) : config.timeout();
        if (timeout.isZero()) {
            return PASS;
        }
        Deadline deadline = Deadline.after(timeout, nanoClock, start);
        request.setAttribute(Deadline.ATTRIBUTE, deadline);
        TimedExchange exchange = new TimedExchange(request, response, config.errorCode(), timeout, onTimeout);
        GatedResponse timedResponse = new GatedResponse(response, exchange.gate());
        TimeoutRequest timedRequest = new TimeoutRequest(request, timedResponse, exchange);
        try {
            exchange.deadlineTask(scheduler.scheduleAt(exchange, start + timeout.toNanos()));
        } catch (RejectedExecutionException stopping) {
            return PASS; // the app is being undeployed: no deadline for its last requests
        }
        return timedRequest;
    }

    @Override
    protected HttpServletRequest downstream(TimeoutRequest call, HttpServletRequest request) {
        return call;
    }

    @Override
    protected HttpServletResponse downstream(TimeoutRequest call, HttpServletResponse response) {
        return call.timedResponse();
    }

    /** In time, the chain's return or failure stands; past the deadline, the timeout's answer does. */
    @Override
    protected Throwable returned(TimeoutRequest call, HttpServletRequest request, HttpServletResponse response,
            Throwable failure, long after) throws IOException {
        TimedExchange exchange = call.exchange();
        if (exchange.returnedInTime(failure == null ? call.startedCycle() : null)) {
            return failure;
        }
        if (failure != null) {
            LOG.debug("handler failed after its deadline", failure);
        }
        exchange.finishTimedOut();
        return null;
    }

    /** The scheduler of this filter's deadlines, for tests that wait until every deadline due by now was handled. */
    TimeoutScheduler scheduler() {
        return scheduler;
    }

    /** Counts and logs a timeout: the one log line of a timed-out request, whatever its handler does later. */
    private void timedOut(HttpServletRequest request, Duration timeout) {
        String route = Routes.of(request);
        metrics.counter(FilterMetrics.TIMEOUTS).inc();
        RouteAnswers.answered(request, config.errorCode().status());
        catalog.counter(RouteMetrics.TIMEOUTS, route).inc();
        String requestId = RequestIds.of(request);
        String previousId = LoggedIds.enter(requestId);
        try {
            LOG.warn("request timed out after {}: requestId={} method={} route={}", timeout.toMillis() + "ms",
                    requestId, request.getMethod(), route);
        } finally {
            LoggedIds.restore(previousId);
        }
    }

    @Override
    public void destroy() {
        if (scheduler != null) {
            ContextScheduler.release(context);
            scheduler = null;
        }
        if (context != null) {
            BreakwaterMetrics.release(context);
        }
    }
}
