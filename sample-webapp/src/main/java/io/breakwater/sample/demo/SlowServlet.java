package io.breakwater.sample.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** {@code /demo/slow?ms=N}: answers 200 after N milliseconds (0 to 600,000), or 400 for a bad N. Thread-safe. */
public class SlowServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final long MAX_MS = 600_000;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long ms;
        try {
            ms = Long.parseLong(String.valueOf(request.getParameter("ms")));
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > MAX_MS) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "ms must be between 0 and 600000");
            return;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(ms); // the point of this route: a handler that takes its time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        response.setContentType("application/json");
        response.getWriter().write("{\"sleptMs\":" + ms + "}");
    }
}
