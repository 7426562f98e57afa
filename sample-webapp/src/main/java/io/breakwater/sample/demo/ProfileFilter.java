package io.breakwater.sample.demo;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The app's own filter in front of {@code /demo/guarded/*}, as guarded by {@code GuardedFilter} in the sample's
 * {@code web.xml}: it looks the caller's profile up in a dependency before the route runs, and says so in header
 * {@code X-Profile}. The dependency's behaviour is the request's to choose: {@code ?delayMs=N} makes it answer after N
 * milliseconds (0 to 600,000), {@code ?fail=true} makes it fail, and {@code ?afterMs=N} has it write an audit line
 * to a store that takes N milliseconds after the route answered. Init-param {@code profileHeader} names the header.
 * Thread-safe.
 */
public class ProfileFilter implements Filter {
    private static final long MAX_MS = 600_000;
    private String header = "X-Profile";

    @Override
    public void init(FilterConfig config) {
        String configured = config.getInitParameter("profileHeader");
        if (configured != null) {
            header = configured;
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String profile = lookUp(request.getParameter("delayMs"), "true".equals(request.getParameter("fail")));
        ((HttpServletResponse) response).setHeader(header, profile);
        chain.doFilter(request, response);
        audit(request.getParameter("afterMs"));
    }

    /** The audit line written after the route: as slow as the request asks. */
    private static void audit(String afterMs) throws IOException {
        if (afterMs != null) {
            take(afterMs, "the audit write was interrupted");
        }
    }

    /** The call to the profile service: slow or failing on request. */
    private static String lookUp(String delayMs, boolean fail) throws IOException {
        if (fail) {
            throw new IOException("the profile service refused the connection");
        }
        if (delayMs != null) {
            take(delayMs, "the profile lookup was interrupted");
        }
        return "demo";
    }

    /** Takes as many milliseconds as {@code ms} says (0 to 600,000; none for a value that is no number). */
    private static void take(String ms, String interrupted) throws IOException {
        long millis;
        try {
            millis = Math.min(MAX_MS, Math.max(0, Long.parseLong(ms)));
        } catch (NumberFormatException e) {
            return;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(millis); // the point of this filter: a dependency that takes its time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(interrupted, e);
        }
    }
}
