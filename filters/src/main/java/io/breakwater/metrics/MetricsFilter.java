package io.breakwater.metrics;

import io.breakwater.chain.AsyncCompletion;
import io.breakwater.chain.AsyncStarts;
import io.breakwater.chain.ChainOrder;
import io.breakwater.chain.Priority;
import io.breakwater.chain.Routes;
import io.breakwater.config.ConfigReader;
import io.breakwater.error.BreakwaterException;
import jakarta.servlet.AsyncContext;
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
 * Measures every route (its servlet mapping pattern, see {@link RouteMetrics}): latency, responses per status
 * class, active requests. An async request is timed to its completion and counted once, however many dispatches
 * it takes. An exception thrown through this filter counts with the status the error contract answers it with
 * (500, or a {@link BreakwaterException}'s own). Thread-safe.
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
        routes = new RouteTable(registry, config.maxRoutes());
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
        HttpServletResponse response = (HttpServletResponse) res;
        RouteMetrics route = routes.of(Routes.of(request));
        route.started();
        long beforeChain = System.nanoTime();
        long afterChain;
        try {
            chain.doFilter(request, response);
        } catch (Throwable thrown) {
            afterChain = System.nanoTime();
            route.finished(afterChain - start, statusOf(thrown));
            long end = System.nanoTime();
            metrics.record(beforeChain - start + end - afterChain, end);
            throw thrown;
        }
        afterChain = System.nanoTime();
        AsyncContext cycle = AsyncStarts.startedCycle(request);
        if (cycle != null) {
            cycle.addListener(AsyncCompletion.once(
                    () -> route.finished(System.nanoTime() - start, response.getStatus())));
        } else {
            route.finished(afterChain - start, response.getStatus());
        }
        long end = System.nanoTime();
        metrics.record(beforeChain - start + end - afterChain, end);
    }

    private static int statusOf(Throwable thrown) {
        if (thrown instanceof BreakwaterException) {
            return ((BreakwaterException) thrown).errorCode().status();
        }
        return HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
    }

    @Override
    public void destroy() {
        if (context != null) {
            BreakwaterMetrics.release(context);
        }
    }
}
