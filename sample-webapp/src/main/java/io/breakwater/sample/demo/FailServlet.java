package io.breakwater.sample.demo;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code /demo/fail}: throws, to show the error contract. {@code ?kind=error} throws a {@code StackOverflowError}
 * by real recursion, {@code ?kind=committed} throws after the response was committed. Thread-safe.
 */
public class FailServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        String kind = request.getParameter("kind");
        if ("error".equals(kind)) {
            recurse(0);
        }
        if ("committed".equals(kind)) {
            response.setContentType("text/plain");
            response.getWriter().write("partial answer, then a failure\n");
            response.flushBuffer();
        }
        throw new IllegalStateException("demo failure with internal detail: db=10.0.0.7 password=hunter2");
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
