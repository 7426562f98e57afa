package io.breakwater.metrics;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.config.internal.AllowedAddresses;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.ProcessMetrics;
import io.breakwater.core.servlet.OperatorEndpoint;
import io.breakwater.metrics.internal.MetricsJson;
import io.breakwater.metrics.internal.PrometheusText;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the web app's registry: as JSON in Dropwizard's {@code metrics-json} shape by default, in Prometheus' text
 * format for {@code ?format=prometheus} or a scraper's {@code Accept: text/plain}, and as OpenMetrics when the
 * scraper's {@code Accept} asks for {@code application/openmetrics-text}. Read-only and uncached: every GET reads the
 * live figures. Served only to the clients of the status page's allow-list ({@code statusAllowFrom}, loopback by
 * default), since its names carry backend addresses; anyone else gets 403 {@code FORBIDDEN}. Thread-safe.
 */
public class MetricsServlet extends HttpServlet implements OperatorEndpoint {
    private static final long serialVersionUID = 1L;

    static final ErrorCode NOT_ALLOWED = new ErrorCode("FORBIDDEN", 403, "Metrics not allowed from this address");

    private transient MetricRegistry registry;
    private transient AllowedAddresses allowFrom;

    @Override
    public void init() throws ServletException {
        allowFrom = ConfigReader.read(getServletConfig(), reader -> reader.get(AllowedAddresses.OPERATOR_ALLOW_FROM));
        registry = BreakwaterMetrics.acquire(getServletContext());
        ProcessMetrics.register(MetricCatalog.of(registry));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!allowFrom.allows(request.getRemoteAddr())) {
            ErrorResponse.send(request, response, NOT_ALLOWED);
            return;
        }
        response.setHeader("Cache-Control", "no-store");
        if (wantsPrometheus(request)) {
            ExpositionFormatWriter writer = PrometheusText.writerFor(request.getHeader("Accept"));
            ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
            PrometheusText.write(body, writer, registry);
            response.setContentType(writer.getContentType());
            response.setContentLength(body.size());
            body.writeTo(response.getOutputStream());
            return;
        }
        response.setContentType("application/json;charset=utf-8");
        byte[] bytes = MetricsJson.write(registry).getBytes(StandardCharsets.UTF_8);
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
