package io.breakwater.proxy;

import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The {@code Forwarded} and {@code X-Forwarded-*} headers of backend requests: incoming ones are kept (and appended
 * to) only when the peer is a configured trusted proxy, else they are dropped so that a client cannot forge its
 * address. Immutable and thread-safe.
 */
final class ForwardedHeaders {
    private static final EnumSet<HttpHeader> FORWARDING = EnumSet.of(HttpHeader.FORWARDED, HttpHeader.X_FORWARDED_FOR,
            HttpHeader.X_FORWARDED_PROTO, HttpHeader.X_FORWARDED_HOST, HttpHeader.X_FORWARDED_PORT,
            HttpHeader.X_FORWARDED_SERVER);

    private final Set<String> trustedProxies;

    ForwardedHeaders(Set<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    boolean isTrusted(HttpServletRequest request) {
        return trustedProxies.contains(request.getRemoteAddr());
    }

    /** Drops the incoming forwarding headers of an untrusted peer; run before the proxy adds its own. */
    void dropUntrusted(HttpServletRequest clientRequest, Request proxyRequest) {
        if (isTrusted(clientRequest)) {
            return;
        }
        proxyRequest.headers(headers -> headers.remove(FORWARDING));
    }

    /**
     * Appends this hop to {@code Forwarded} (RFC 7239), with the value Jetty's {@code ProxyServlet} gives it,
     * {@code by="<proxy>";for="<client>";host="<Host>";proto=<scheme>}, built without the format string and the
     * quoting buffers that made Jetty's the proxy's second largest allocation (BENCHMARKS.md).
     */
    void addForwarded(HttpServletRequest clientRequest, Request proxyRequest) {
        String scheme = clientRequest.getScheme();
        StringBuilder built = new StringBuilder(96).append("by=");
        appendQuoted(built, clientRequest.getLocalAddr()).append(";for=");
        appendQuoted(built, clientRequest.getRemoteAddr()).append(";host=");
        appendQuoted(built, clientRequest.getHeader("Host")).append(";proto=")
                .append(scheme == null ? (clientRequest.isSecure() ? "https" : "http") : scheme);
        String value = built.toString();
        proxyRequest.headers(headers -> {
            if (!headers.contains(HttpHeader.FORWARDED)) {
                headers.put(HttpHeader.FORWARDED, value);
                return;
            }
            // a trusted proxy's hops come first, as it wrote them (Jetty's list of parsed values drops the quotes
            // that an IPv6 address or a port needs)
            String previous = headers.getFields(HttpHeader.FORWARDED).stream()
                    .map(HttpField::getValue)
                    .collect(Collectors.joining(", "));
            headers.put(HttpHeader.FORWARDED, previous + ", " + value);
        });
    }

    /**
     * Appends a quoted-string as Jetty's parameter tokenizer writes it ({@code null} as {@code null}), calling the
     * tokenizer only when there is a char to escape.
     */
    static StringBuilder appendQuoted(StringBuilder out, String text) {
        if (text == null) {
            return out.append((String) null);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                return out.append(HttpField.PARAMETER_TOKENIZER.quote(text));
            }
        }
        return out.append('"').append(text).append('"');
    }

    /** Appends this hop to {@code X-Forwarded-For} and sets proto and host when no trusted proxy did. */
    void addXForwarded(HttpServletRequest clientRequest, Request proxyRequest) {
        String peer = clientRequest.getRemoteAddr();
        String host = clientRequest.getHeader("Host");
        proxyRequest.headers(headers -> {
            String previous = headers.get(HttpHeader.X_FORWARDED_FOR);
            headers.put(HttpHeader.X_FORWARDED_FOR, previous == null ? peer : previous + ", " + peer);
            if (!headers.contains(HttpHeader.X_FORWARDED_PROTO)) {
                headers.put(HttpHeader.X_FORWARDED_PROTO, clientRequest.getScheme());
            }
            if (!headers.contains(HttpHeader.X_FORWARDED_HOST) && host != null) {
                headers.put(HttpHeader.X_FORWARDED_HOST, host);
            }
        });
    }

    /**
     * The client's address: the peer, or, behind trusted proxies, the rightmost {@code X-Forwarded-For} entry that
     * is not itself a trusted proxy (entries left of it could be forged by the client).
     */
    String clientAddress(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (!trustedProxies.contains(peer)) {
            return peer;
        }
        String forwardedFor = request.getHeader("X-Forwarded-For");
        if (forwardedFor == null) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return peer;
    }
}
