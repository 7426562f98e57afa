package io.breakwater.health;

import io.breakwater.core.health.Readiness;
import io.breakwater.core.json.Json;
import io.breakwater.core.servlet.OperatorEndpoint;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * Readiness: 200 {@code {"status":"READY","reasons":[]}} when the web app may take traffic, else 503
 * {@code {"status":"NOT_READY","reasons":["draining", ...]}} with the {@link Readiness} reasons. A probe's answer,
 * not an error: plain JSON, not problem+json. (A stopped web app needs no mark: the container answers 503 for it.)
 * Thread-safe.
 */
public class ReadinessServlet extends HttpServlet implements OperatorEndpoint {
    private static final long serialVersionUID = 1L;

    private transient Readiness readiness;

    @Override
    public void init() throws ServletException {
        readiness = Readiness.of(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<String> reasons = readiness.reasons();
        StringBuilder json = new StringBuilder(64).append("{\"status\":")
                .append(reasons.isEmpty() ? "\"READY\"" : "\"NOT_READY\"").append(",\"reasons\":[");
        for (int i = 0; i < reasons.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            Json.string(json, reasons.get(i));
        }
        json.append("]}");
        ProbeAnswer.write(response, reasons.isEmpty() ? HttpServletResponse.SC_OK
                : HttpServletResponse.SC_SERVICE_UNAVAILABLE, json.toString());
    }
}
