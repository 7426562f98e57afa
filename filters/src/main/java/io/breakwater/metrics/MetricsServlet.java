package io.breakwater.metrics;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.OperatorEndpoint;
import io.breakwater.config.ConfigReader;
import io.breakwater.error.ErrorCode;
import io.breakwater.error.ErrorResponse;
import io.breakwater.status.AllowedAddresses;
import io.breakwater.status.StatusConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the web app's registry: as JSON in Dropwizard's {@code metrics-json} shape by default, in Prometheus' text
 * format for {@code ?format=prometheus} or a scraper's {@code Accept: text/plain} or OpenMetrics. Read-only and
 * uncached: every GET reads the live figures. Served only to the clients of the status page's allow-list
 * ({@code statusAllowFrom}, loopback by default), since its names carry backend addresses; anyone else gets 403
 * {@code FORBIDDEN}. Thread-safe.
 */
public class MetricsServlet extends HttpServlet implements OperatorEndpoint {
    private static final long serialVersionUID = 1L;

    static final ErrorCode NOT_ALLOWED = new ErrorCode("FORBIDDEN", 403, "Metrics not allowed from this address");

    private transient MetricRegistry registry;
    private transient AllowedAddresses allowFrom;

    @Override
    public void init() throws ServletException {
        allowFrom = ConfigReader.of(getServletConfig()).get(StatusConfig.ALLOW_FROM);
        registry = BreakwaterMetrics.acquire(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!allowFrom.allows(request.getRemoteAddr())) {
            ErrorResponse.send(request, response, NOT_ALLOWED);
            return;
        }
        String body;
        if (wantsPrometheus(request)) {
            response.setContentType(PrometheusText.CONTENT_TYPE);
            body = PrometheusText.write(registry);
        } else {
            response.setContentType("application/json;charset=utf-8");
            body = MetricsJson.write(registry);
        }
        response.setHeader("Cache-Control", "no-store");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static boolean wantsPrometheus(HttpServletRequest request) {
        String format = request.getParameter("format");
        if (format != null) {
            return format.equals("prometheus");
        }
        String accept = request.getHeader("Accept");
        return accept != null && (accept.contains("text/plain") || accept.contains("application/openmetrics-text"));
    }

    @Override
    public void destroy() {
        BreakwaterMetrics.release(getServletContext());
    }
}
