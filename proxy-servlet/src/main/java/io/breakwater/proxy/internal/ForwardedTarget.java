package io.breakwater.proxy.internal;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.client.Request;

/**
 * The path and query a try carries: the request URI and query string as the container received them, byte for
 * byte, never parsed into a {@code java.net.URI} and written out again (which refuses the {@code |} or {@code "}
 * that the container and nginx accept). What cannot be carried so is the client's {@link ClientFault#BAD_TARGET}:
 * a percent sign not followed by two hex digits among them, since Jetty's client, which writes the request line,
 * refuses it. Stateless and thread-safe.
 */
public final class ForwardedTarget {
    private ForwardedTarget() {
    }

    /**
     * Whether the request's path and query can go into a backend's request line as they are: each character
     * printable ASCII (no space, control or non-ASCII character, which could end or change the line, and whose bytes
     * not every container reports as it received them), each {@code %} followed by two hex digits, no fragment, and a
     * path that is one absolute path (not {@code //host/...}, which a URI reader takes for an authority) or
     * {@code *}.
     */
    public static boolean forwardable(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path == null || !(path.equals("*") || path.startsWith("/") && !path.startsWith("//"))) {
            return false;
        }
        String query = request.getQueryString();
        return carriable(path) && (query == null || carriable(query));
    }

    private static boolean carriable(String text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '#') {
                return false;
            }
            if (c == '%' && (i + 2 >= length || !hex(text.charAt(i + 1)) || !hex(text.charAt(i + 2)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** The path and the query of a {@link #forwardable} request, as the container received them. */
    static String of(HttpServletRequest request) {
        String path = request.getRequestURI();
        String query = request.getQueryString();
        return query == null ? path : path + '?' + query;
    }

    /**
     * Gives {@code proxyRequest} the path and query {@code pathQuery}. Jetty's client keeps a target it cannot read
     * as a URI as it is, and splits one it can at its {@code ?}: either way the request line carries it unchanged,
     * which is checked, without allocating, rather than assumed.
     */
    static void carry(Request proxyRequest, String pathQuery) {
        proxyRequest.path(pathQuery);
        String path = proxyRequest.getPath();
        String query = proxyRequest.getQuery();
        int end = path.length();
        boolean carried = pathQuery.startsWith(path) && (query == null ? end == pathQuery.length()
                : pathQuery.length() == end + 1 + query.length() && pathQuery.charAt(end) == '?'
                        && pathQuery.startsWith(query, end + 1));
        if (!carried) {
            throw new IllegalStateException("the backend's request line would not carry the target as received");
        }
    }
}
