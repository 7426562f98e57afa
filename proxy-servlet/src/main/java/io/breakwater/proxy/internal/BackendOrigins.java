package io.breakwater.proxy.internal;

import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Points a backend's own origin, wherever a response header names it as a URL, at the origin the client asked, as
 * nginx's {@code proxy_redirect default} does: a backend's address never reaches a client, and a backend's redirect
 * to itself comes back through the proxy. It reads {@code Location} and {@code Content-Location}, the URL of a
 * {@code Refresh} ({@code 0; url=...}) and each {@code <...>} of a {@code Link}; a URL is the backend's whether it is
 * absolute, protocol-relative ({@code //10.0.0.1:8080/next}) or carries user info ({@code http://user@host:port/}).
 * Any other value passes as it is. Stateless and thread-safe.
 */
public final class BackendOrigins {
    private static final String REFRESH = "Refresh";

    private BackendOrigins() {
    }

    /** A header field with the backends' origins in it pointed at the client's; any other field as it is. */
    public static HttpField rewrite(HttpField field, List<Backend> backends, HttpServletRequest clientRequest) {
        HttpHeader header = field.getHeader();
        String value = field.getValue();
        String rewritten;
        if (header == HttpHeader.LOCATION || header == HttpHeader.CONTENT_LOCATION) {
            rewritten = rewrite(value, backends, clientRequest);
        } else if (header == HttpHeader.LINK) {
            rewritten = rewriteLink(value, backends, clientRequest);
        } else if (header == null && field.is(REFRESH)) {
            rewritten = rewriteRefresh(value, backends, clientRequest);
        } else {
            return field;
        }
        return rewritten.equals(value) ? field : new HttpField(header, field.getName(), rewritten);
    }

    /** The URL with a backend's origin replaced by the client's; the same string when it names no backend. */
    public static String rewrite(String location, List<Backend> backends, HttpServletRequest clientRequest) {
        int schemeEnd = location.indexOf("://");
        boolean protocolRelative = location.startsWith("//");
        if (schemeEnd <= 0 && !protocolRelative) {
            return location; // relative: it is on the client's origin already
        }
        int authorityStart = protocolRelative ? 2 : schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < location.length() && "/?#".indexOf(location.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = location.substring(authorityStart, authorityEnd).toLowerCase(Locale.ROOT);
        authority = authority.substring(authority.lastIndexOf('@') + 1); // user info names no origin
        boolean portGiven = authority.lastIndexOf(':') > authority.lastIndexOf(']');
        String rest = location.substring(authorityEnd);
        if (protocolRelative) {
            // the client's scheme, whichever it is: the backend's own with the port it names, or either default
            for (Backend backend : backends) {
                String key = backend.key().toLowerCase(Locale.ROOT);
                String origin = key.substring(key.indexOf("://") + 3);
                if (portGiven ? origin.equals(authority) : origin.equals(authority + ":80")
                        || origin.equals(authority + ":443")) {
                    return "//" + clientHost(clientRequest) + rest;
                }
            }
            return location;
        }
        String scheme = location.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!portGiven) {
            authority += scheme.equals("https") ? ":443" : ":80"; // as a backend's key spells a default port
        }
        String origin = scheme + "://" + authority;
        for (Backend backend : backends) {
            if (backend.key().equalsIgnoreCase(origin)) {
                return clientRequest.getScheme() + "://" + clientHost(clientRequest) + rest;
            }
        }
        return location;
    }

    /** Each {@code <URL>} of a {@code Link} value rewritten; its parameters as they are. */
    private static String rewriteLink(String value, List<Backend> backends, HttpServletRequest clientRequest) {
        StringBuilder out = null;
        int copied = 0; // what is before this is in out already
        int open = value.indexOf('<');
        while (open >= 0) {
            int close = value.indexOf('>', open);
            if (close < 0) {
                break;
            }
            String url = value.substring(open + 1, close);
            String rewritten = rewrite(url, backends, clientRequest);
            if (!rewritten.equals(url)) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 16);
                }
                out.append(value, copied, open + 1).append(rewritten);
                copied = close;
            }
            open = value.indexOf('<', close + 1);
        }
        return out == null ? value : out.append(value, copied, value.length()).toString();
    }

    /** The URL of a {@code Refresh} value ({@code 5; url=...}, quoted or not) rewritten. */
    private static String rewriteRefresh(String value, List<Backend> backends, HttpServletRequest clientRequest) {
        int url = value.toLowerCase(Locale.ROOT).indexOf("url=");
        if (url < 0) {
            return value;
        }
        int start = url + "url=".length();
        char quote = start < value.length() ? value.charAt(start) : 0;
        boolean quoted = quote == '\'' || quote == '"';
        int from = quoted ? start + 1 : start;
        int to = quoted ? value.indexOf(quote, from) : value.length();
        if (to < 0) {
            to = value.length();
        }
        String target = value.substring(from, to).trim();
        String rewritten = rewrite(target, backends, clientRequest);
        return rewritten.equals(target) ? value : value.substring(0, from) + rewritten + value.substring(to);
    }

    /** The {@code Host} the client asked (the server's name and port when it sent no Host). */
    private static String clientHost(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null || host.isEmpty()) {
            host = request.getServerName() + ":" + request.getServerPort();
        }
        return host;
    }
}
