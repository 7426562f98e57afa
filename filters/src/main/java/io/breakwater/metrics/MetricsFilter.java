package io.breakwater.metrics;

import io.breakwater.chain.Priority;
import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.FilterMetrics;
import io.breakwater.core.metric.internal.RouteTable;
import io.breakwater.core.route.internal.Routes;
import io.breakwater.core.servlet.internal.RouteAnswers;
import io.breakwater.core.servlet.internal.TimedFilter;
import io.breakwater.metrics.internal.MetricsConfig;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Measures every route (see {@link Routes} and {@code RouteMetrics}): latency, responses
 * per status class, active requests. It keeps the web app's route table; each answer is counted once, by the first
 * Breakwater filter the request meets ({@link RouteAnswers}), this one when it is the first, so answers of the
 * filters in front of it count too. An async request is timed to its completion, however many dispatches it takes.
 * An exception thrown through the counting filter counts with the status the error contract answers it with (500,
 * or a {@link io.breakwater.core.error.BreakwaterException}'s own). Thread-safe.
 */
public class MetricsFilter extends TimedFilter<Void> {
    private ServletContext context;
    private RouteTable routes;

    @Override
    protected void start(FilterConfig filterConfig) throws ServletException {
        MetricsConfig config = ConfigReader.read(filterConfig, MetricsConfig::read);
        context = filterConfig.getServletContext();
        Routes.configure(context);
        var registry = BreakwaterMetrics.acquire(context);
        measureIn(new FilterMetrics(registry, FilterMetrics.METRICS_FILTER));
        routes = RouteTable.shareIn(context, registry, config.maxRoutes());
    }

    /** The count of the answer is all there is to do, and the chain filter does it around this filter's call. */
    @Override
    protected Object admit(HttpServletRequest request, HttpServletResponse response, long start) {
        return PASS;
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
