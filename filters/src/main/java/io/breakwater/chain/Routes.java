package io.breakwater.chain;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The route of a request: the pattern of the servlet mapping it matched ({@code /orders/*}), never the raw URI,
 * so that whatever clients send, the number of routes stays bounded. Stateless and thread-safe.
 */
public final class Routes {
    /** The route of a request that matched no servlet mapping of the app. */
    public static final String UNMATCHED = "unmatched";

    private Routes() {
    }

    public static String of(HttpServletRequest request) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null || mapping.getPattern() == null) {
            return UNMATCHED;
        }
        String servletName = mapping.getServletName();
        if (servletName != null && servletName.contains("Default404Servlet")) {
            return UNMATCHED;
        }
        return mapping.getPattern().isEmpty() ? "/" : mapping.getPattern();
    }
}
