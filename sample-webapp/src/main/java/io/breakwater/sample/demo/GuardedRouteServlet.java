package io.breakwater.sample.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code /demo/guarded/*}: the route behind the guarded {@link ProfileFilter}, which answers 200 with a short JSON
 * body; {@code ?routeMs=N} takes N milliseconds first (0 to 600,000), {@code ?routeFail=true} throws, so that the
 * route's own slowness and failures can be told from the filter's. Thread-safe.
 */
public class GuardedRouteServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final long MAX_MS = 600_000;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("true".equals(request.getParameter("routeFail"))) {
            throw new IllegalStateException("the guarded route failed on request");
        }
        String routeMs = request.getParameter("routeMs");
        if (routeMs != null) {
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(MAX_MS, Math.max(0, Long.parseLong(routeMs))));
            } catch (NumberFormatException ignored) {
                // no delay for a value that is no number
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"route\":\"guarded\"}");
    }
}
