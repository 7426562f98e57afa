package io.breakwater.proxy;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The {@code Forwarded} and {@code X-Forwarded-*} headers of backend requests: incoming ones are kept (and appended
 * to) only when the peer is a configured trusted proxy, else they are dropped so that a client cannot forge its
 * address. Immutable and thread-safe.
 */
final class ForwardedHeaders {
    private static final List<HttpHeader> FORWARDING = List.of(HttpHeader.FORWARDED, HttpHeader.X_FORWARDED_FOR,
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
        proxyRequest.headers(headers -> FORWARDING.forEach(headers::remove));
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
