package io.breakwater.proxy;

import io.breakwater.core.config.AllowedAddresses;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The {@code Forwarded}, {@code X-Forwarded-*} and {@code X-Real-IP} headers of backend requests: incoming ones are
 * kept (and appended to) only when the peer is a configured trusted proxy, else they are dropped so that a client
 * cannot forge its address. Immutable and thread-safe.
 */
final class ForwardedHeaders {
    private static final EnumSet<HttpHeader> FORWARDING = EnumSet.of(HttpHeader.FORWARDED, HttpHeader.X_FORWARDED_FOR,
            HttpHeader.X_FORWARDED_PROTO, HttpHeader.X_FORWARDED_HOST, HttpHeader.X_FORWARDED_PORT,
            HttpHeader.X_FORWARDED_SERVER);
    /** nginx's name for the client's address; Jetty has no constant for it. */
    static final String X_REAL_IP = "X-Real-IP";

    private final AllowedAddresses trustedProxies;

    ForwardedHeaders(AllowedAddresses trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /**
     * Adds this hop to the backend request's forwarding headers, in one pass over them: drops the incoming ones of
     * an untrusted peer, appends to {@code Forwarded} (RFC 7239) the value Jetty's {@code ProxyServlet} gives it,
     * {@code by="<proxy>";for="<client>";host="<Host>";proto=<scheme>}, appends the peer to
     * {@code X-Forwarded-For} and sets {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} when no trusted proxy
     * did. Jetty's way (a format string, a quoting buffer per value, the peer's address formatted anew for each
     * header, a pass per header) was the proxy's second largest allocation (BENCHMARKS.md).
     */
    void add(HttpServletRequest clientRequest, Request proxyRequest) {
        String peer = clientRequest.getRemoteAddr();
        boolean trusted = trustedProxies.allows(peer);
        String host = clientRequest.getHeader("Host");
        String scheme = clientRequest.getScheme(); // never null in a servlet container
        StringBuilder built = new StringBuilder(96).append("by=");
        appendQuoted(built, clientRequest.getLocalAddr()).append(";for=");
        appendQuoted(built, peer).append(";host=");
        appendQuoted(built, host).append(";proto=").append(scheme);
        String hop = built.toString();
        proxyRequest.headers(headers -> {
            if (!trusted) {
                headers.remove(FORWARDING);
                headers.remove(X_REAL_IP);
            }
            if (headers.contains(HttpHeader.FORWARDED)) {
                // a trusted proxy's hops come first, as it wrote them (Jetty's list of parsed values drops the
                // quotes that an IPv6 address or a port needs)
                String previous = headers.getFields(HttpHeader.FORWARDED).stream()
                        .map(HttpField::getValue)
                        .collect(Collectors.joining(", "));
                headers.put(HttpHeader.FORWARDED, previous + ", " + hop);
            } else {
                headers.put(HttpHeader.FORWARDED, hop);
            }
            String previousFor = headers.get(HttpHeader.X_FORWARDED_FOR);
            headers.put(HttpHeader.X_FORWARDED_FOR, previousFor == null ? peer : previousFor + ", " + peer);
            if (!headers.contains(HttpHeader.X_FORWARDED_PROTO)) {
                headers.put(HttpHeader.X_FORWARDED_PROTO, scheme);
            }
            if (!headers.contains(HttpHeader.X_FORWARDED_HOST) && host != null) {
                headers.put(HttpHeader.X_FORWARDED_HOST, host);
            }
            if (!headers.contains(X_REAL_IP)) {
                headers.put(X_REAL_IP, trusted ? clientAddress(clientRequest) : peer);
            }
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

    /**
     * The client's address: the peer, or, behind trusted proxies, the rightmost {@code X-Forwarded-For} entry that
     * is not itself a trusted proxy (entries left of it could be forged by the client).
     */
    String clientAddress(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (!trustedProxies.allows(peer)) {
            return peer;
        }
        String forwardedFor = request.getHeader("X-Forwarded-For");
        if (forwardedFor == null) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.allows(hop)) {
                return hop;
            }
        }
        return peer;
    }
}
