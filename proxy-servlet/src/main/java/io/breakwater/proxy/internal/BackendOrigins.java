package io.breakwater.proxy.internal;

import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Points a backend's absolute {@code Location} or {@code Content-Location} that names a backend's own origin at the
 * origin the client asked, as nginx's {@code proxy_redirect default} does: a backend's address never reaches a
 * client, and a backend's redirect to itself comes back through the proxy. Any other value passes as it is.
 * Stateless and thread-safe.
 */
public final class BackendOrigins {
    private BackendOrigins() {
    }

    /** A {@code Location} or {@code Content-Location} pointed at the client's origin; any other field as it is. */
    public static HttpField rewrite(HttpField field, List<Backend> backends, HttpServletRequest clientRequest) {
        HttpHeader header = field.getHeader();
        if (header != HttpHeader.LOCATION && header != HttpHeader.CONTENT_LOCATION) {
            return field;
        }
        String value = field.getValue();
        String rewritten = rewrite(value, backends, clientRequest);
        return rewritten.equals(value) ? field : new HttpField(header, field.getName(), rewritten);
    }

    /** The value with a backend's origin replaced by the client's; the same string when it names no backend. */
    public static String rewrite(String location, List<Backend> backends, HttpServletRequest clientRequest) {
        int schemeEnd = location.indexOf("://");
        if (schemeEnd <= 0) {
            return location; // relative: it is on the client's origin already
        }
        int authorityEnd = schemeEnd + 3;
        while (authorityEnd < location.length() && "/?#".indexOf(location.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String scheme = location.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String authority = location.substring(schemeEnd + 3, authorityEnd).toLowerCase(Locale.ROOT);
        if (authority.lastIndexOf(':') <= authority.lastIndexOf(']')) {
            authority += scheme.equals("https") ? ":443" : ":80"; // as a backend's key spells a default port
        }
        String origin = scheme + "://" + authority;
        for (Backend backend : backends) {
            if (backend.key().equalsIgnoreCase(origin)) {
                return clientOrigin(clientRequest) + location.substring(authorityEnd);
            }
        }
        return location;
    }

    /** The scheme and {@code Host} the client asked (the server's name and port when it sent no Host). */
    private static String clientOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null || host.isEmpty()) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return request.getScheme() + "://" + host;
    }
}
