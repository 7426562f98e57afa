package io.breakwater.metrics;

import io.breakwater.chain.ChainOrder;
import io.breakwater.chain.Priority;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.FilterMetrics;
import io.breakwater.core.metric.RouteAnswers;
import io.breakwater.core.metric.RouteTable;
import io.breakwater.core.route.Routes;
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

/**
 * Measures every route (see {@link io.breakwater.core.route.Routes} and {@link io.breakwater.core.metric.RouteMetrics}): latency, responses per
 * status class, active requests. Each answer is counted once, by the first Breakwater filter the request meets
 * ({@link RouteAnswers}), so answers of the filters in front of this one count too. An async request is timed to
 * its completion, however many dispatches it takes. An exception thrown through the counting filter counts with
 * the status the error contract answers it with (500, or a {@link io.breakwater.core.error.BreakwaterException}'s own).
 * Thread-safe.
 */
@Priority(Priority.METRICS)
public class MetricsFilter implements Filter {
    private ServletContext context;
    private RouteTable routes;
    private FilterMetrics metrics;

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        MetricsConfig config = MetricsConfig.read(ConfigReader.of(filterConfig));
        context = filterConfig.getServletContext();
        ChainOrder.checkOnce(context);
        Routes.configure(context);
        var registry = BreakwaterMetrics.acquire(context);
        metrics = new FilterMetrics(registry, "metrics");
        routes = RouteTable.shareIn(context, registry, config.maxRoutes());
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        // an async request's later dispatches belong to the request its first dispatch already counts
        if (req.getDispatcherType() != DispatcherType.REQUEST || !(req instanceof HttpServletRequest)
                || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        long start = System.nanoTime();
        HttpServletRequest request = (HttpServletRequest) req;
        // counted here unless a Breakwater filter in front of this one already counts it
        RouteAnswers.Answer answer = RouteAnswers.begin(request);
        long beforeChain = System.nanoTime();
        long afterChain;
        try {
            chain.doFilter(request, res);
        } catch (Throwable thrown) {
            afterChain = System.nanoTime();
            if (answer != null) {
                answer.end(RouteAnswers.statusOf(thrown));
            }
            long end = System.nanoTime();
            metrics.record(beforeChain - start + end - afterChain, end);
            throw thrown;
        }
        afterChain = System.nanoTime();
        if (answer != null) {
            answer.endWhenDone(request, (HttpServletResponse) res);
        }
        long end = System.nanoTime();
        metrics.record(beforeChain - start + end - afterChain, end);
    }

    @Override
    public void destroy() {
        if (context != null) {
            if (routes != null) {
                routes.leave(context);
            }
            BreakwaterMetrics.release(context);
        }
    }
}
