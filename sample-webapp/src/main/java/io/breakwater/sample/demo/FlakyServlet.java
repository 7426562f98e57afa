package io.breakwater.sample.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/** {@code /demo/flaky?failRate=R}: answers 500 with probability R (0 to 1, default 0.3), else 200. Thread-safe. */
public class FlakyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        double rate;
        try {
            String text = request.getParameter("failRate");
            rate = text == null ? 0.3 : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            rate = -1;
        }
        if (!(rate >= 0 && rate <= 1)) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "failRate must be between 0 and 1");
            return;
        }
        response.setContentType("application/json");
        if (ThreadLocalRandom.current().nextDouble() < rate) {
            response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            response.getWriter().write("{\"flaky\":\"failed\"}");
        } else {
            response.getWriter().write("{\"flaky\":\"ok\"}");
        }
    }
}
