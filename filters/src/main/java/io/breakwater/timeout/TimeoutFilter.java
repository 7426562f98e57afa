package io.breakwater.timeout;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.ChainOrder;
import io.breakwater.chain.Priority;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.FilterMetrics;
import io.breakwater.core.metric.MetricCatalog;
import io.breakwater.core.metric.MetricFamily;
import io.breakwater.core.metric.RouteAnswers;
import io.breakwater.core.metric.RouteMetrics;
import io.breakwater.core.route.Routes;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.NanoClock;
import io.breakwater.core.time.TimeoutScheduler;
import jakarta.servlet.DispatcherType;
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
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Gives every request a deadline and keeps it: the chain runs on the request's own thread, and one task on a
 * shared scheduler thread answers {@code TIMEOUT} (503, or the configured status) if the deadline passes first,
 * interrupts the handler and drops whatever it does afterwards. The deadline is in request attribute
 * {@value Deadline#ATTRIBUTE} for downstream code, and bounds async cycles too, on the same scheduler rather than
 * the container's async timeout (a lock per request on the container's scheduler). Thread-safe.
 */
@Priority(Priority.TIMEOUT)
public class TimeoutFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutFilter.class);
    static final MetricFamily TIMEOUTS = MetricFamily.counter("filter_timeouts",
            "Requests answered TIMEOUT.", "filter.{filter}.timeouts");

    private final NanoClock nanoClock;
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
    public void init(FilterConfig filterConfig) throws ServletException {
        config = TimeoutConfig.read(ConfigReader.of(filterConfig));
        context = filterConfig.getServletContext();
        ChainOrder.checkOnce(context);
        Routes.configure(context);
        MetricRegistry registry = BreakwaterMetrics.acquire(context);
        catalog = MetricCatalog.of(registry);
        metrics = new FilterMetrics(registry, "timeout");
        String path = context.getContextPath();
        scheduler = new TimeoutScheduler(path.isEmpty() ? "ROOT" : path.substring(1).replace('/', '-'));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (RouteAnswers.counts(req, res, chain, this)) {
            return; // this filter is the request's first: it ran inside the count of the answer
        }
        if (req.getDispatcherType() == DispatcherType.ASYNC
                && req.getAttribute(TimedExchange.ABORT_ATTRIBUTE) != null) {
            throw new BreakwaterException(config.errorCode()); // the async response was committed: abort it
        }
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)
                || req.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(req, res); // an async dispatch keeps the deadline its request got
            return;
        }
        long start = System.nanoTime();
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Duration timeout = config.hasPathOverrides()
                ? config.timeoutFor(Routes.of(request), Routes.pathOf(request)) : config.timeout();
        if (timeout.isZero()) {
            long end = System.nanoTime();
            metrics.record(end - start, end);
            chain.doFilter(request, response);
            return;
        }
        Deadline deadline = Deadline.after(timeout, nanoClock, start);
        request.setAttribute(Deadline.ATTRIBUTE, deadline);
        TimedExchange exchange = new TimedExchange(request, response, config.errorCode(),
                () -> timedOut(request, timeout));
        TimeoutResponse timedResponse = new TimeoutResponse(response, exchange);
        TimeoutRequest timedRequest = new TimeoutRequest(request, timedResponse, exchange);
        try {
            exchange.deadlineTask(scheduler.scheduleAt(exchange::expire, start + timeout.toNanos()));
        } catch (RejectedExecutionException stopping) {
            chain.doFilter(request, response); // the app is being undeployed: no deadline for its last requests
            return;
        }
        long downstream = 0;
        Throwable failure = null;
        long before = System.nanoTime();
        try {
            chain.doFilter(timedRequest, timedResponse);
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            downstream = System.nanoTime() - before;
        }
        try {
            if (exchange.returnedInTime(failure == null ? timedRequest.startedCycle() : null)) {
                rethrow(failure);
                return;
            }
            if (failure != null) {
                LOG.debug("handler failed after its deadline", failure);
            }
            exchange.finishTimedOut();
        } finally {
            long end = System.nanoTime();
            metrics.record(end - start - downstream, end);
        }
    }

    /** The scheduler of this filter's deadlines, for tests that wait until every deadline due by now was handled. */
    TimeoutScheduler scheduler() {
        return scheduler;
    }

    /** Counts and logs a timeout: the one log line of a timed-out request, whatever its handler does later. */
    private void timedOut(HttpServletRequest request, Duration timeout) {
        String route = Routes.of(request);
        metrics.counter(TIMEOUTS).inc();
        RouteAnswers.answered(request, config.errorCode().status());
        catalog.counter(RouteMetrics.TIMEOUTS, route).inc();
        String previousId = MDC.get(RequestIds.MDC_KEY);
        String requestId = RequestIds.of(request);
        if (requestId != null) {
            MDC.put(RequestIds.MDC_KEY, requestId);
        }
        try {
            LOG.warn("request timed out after {}: requestId={} method={} route={}", timeout.toMillis() + "ms",
                    requestId, request.getMethod(), route);
        } finally {
            if (previousId == null) {
                MDC.remove(RequestIds.MDC_KEY);
            } else {
                MDC.put(RequestIds.MDC_KEY, previousId);
            }
        }
    }

    private static void rethrow(Throwable failure) throws IOException, ServletException {
        if (failure == null) {
            return;
        }
        if (failure instanceof IOException) {
            throw (IOException) failure;
        }
        if (failure instanceof ServletException) {
            throw (ServletException) failure;
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        throw new ServletException(failure);
    }

    @Override
    public void destroy() {
        if (scheduler != null) {
            scheduler.stop();
        }
        if (context != null) {
            BreakwaterMetrics.release(context);
        }
    }
}
