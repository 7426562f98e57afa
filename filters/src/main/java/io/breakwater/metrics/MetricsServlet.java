package io.breakwater.metrics;

import com.codahale.metrics.MetricRegistry;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the web app's registry: as JSON in Dropwizard's {@code metrics-json} shape by default, in Prometheus' text
 * format for {@code ?format=prometheus} or a scraper's {@code Accept: text/plain}, and as OpenMetrics when the
 * scraper's {@code Accept} asks for {@code application/openmetrics-text}. Read-only and
 * uncached: every GET reads the live figures. Thread-safe.
 */
public class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private transient MetricRegistry registry;

    @Override
    public void init() throws ServletException {
        registry = BreakwaterMetrics.acquire(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
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
