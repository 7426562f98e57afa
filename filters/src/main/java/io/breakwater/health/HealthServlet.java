package io.breakwater.health;

import io.breakwater.core.servlet.OperatorEndpoint;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Liveness: answers 200 {@code {"status":"UP"}} while the web app serves requests, draining included, so that an
 * orchestrator restarts only an app that no longer answers. Stateless and thread-safe.
 */
public class HealthServlet extends HttpServlet implements OperatorEndpoint {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ProbeAnswer.write(response, HttpServletResponse.SC_OK, "{\"status\":\"UP\"}");
    }
}
