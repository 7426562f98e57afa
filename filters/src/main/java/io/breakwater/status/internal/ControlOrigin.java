package io.breakwater.status.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a status control request comes from, as a browser tells it: a page on another origin can make the browser
 * POST to the status page, but cannot forge the {@code Origin} or {@code Sec-Fetch-Site} the browser sends with it.
 * The token belongs in the body, since a URL ends up in logs, histories and {@code Referer}s. Stateless.
 */
public final class ControlOrigin {
    private ControlOrigin() {
    }

    /**
     * Whether the request comes from a page of this server's own origin: its {@code Origin} is the scheme and
     * {@code Host} the request came to, or, without an {@code Origin}, its {@code Sec-Fetch-Site} says
     * {@code same-origin}. A {@code Sec-Fetch-Site} that says anything else refuses it either way; a request with
     * neither header (not a browser's) is refused too.
     */
    public static boolean isSameOrigin(HttpServletRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin")) {
            return false;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return fetchSite != null;
        }
        String host = request.getHeader("Host");
        return host != null && origin.equalsIgnoreCase(request.getScheme() + "://" + host);
    }

    /** Whether a query string carries a {@code token} parameter. */
    public static boolean queryCarriesToken(String query) {
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            if (name.equals("token") || decodedName(name).equals("token")) {
                return true;
            }
        }
        return false;
    }

    private static String decodedName(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return name;
        }
    }
}
