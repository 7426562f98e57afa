package io.breakwater.proxy.internal;

import io.breakwater.core.time.Deadline;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * One client request on its way through the proxy: the client's request and response, its body (buffered for
 * replay, or a stream) and its {@link Attempts tries}, which decide whose answer the client gets. Thread-safe: its
 * own fields are final, and the tries guard theirs.
 */
public final class Exchange implements Attempts.Client {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String requestId;
    private final String clientAddress;
    private final byte[] body;
    private final Request.Content streamedBody;
    private final Attempts<KeptAnswer> attempts;
    private final ContainerError containerError;

    /**
     * A backend's whole answer with a failover status, dropped for a try beside it that might still bring a better
     * one when no further try was allowed: the client's if that try fails too.
     */
    record KeptAnswer(Response response, byte[] body) {
    }

    public Exchange(HttpServletRequest request, HttpServletResponse response, String requestId, String clientAddress,
            byte[] body, Request.Content streamedBody, TryRules rules, ContainerError containerError) {
        this.request = request;
        this.response = response;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
        this.body = body;
        this.streamedBody = streamedBody;
        this.containerError = containerError;
        this.attempts = new Attempts<>(rules, this, hashKey(request, rules.hashKey, clientAddress),
                streamedBody == null, FailoverPolicy.isIdempotent(request.getMethod()), Deadline.of(request));
    }

    HttpServletRequest request() {
        return request;
    }

    HttpServletResponse response() {
        return response;
    }

    String requestId() {
        return requestId;
    }

    String clientAddress() {
        return clientAddress;
    }

    /** The buffered body, or {@code null} when there is none or it is streamed. */
    byte[] body() {
        return body;
    }

    /** The body that was too large to buffer, streamed as the client sends it, or {@code null}. */
    Request.Content streamedBody() {
        return streamedBody;
    }

    public Attempts<KeptAnswer> attempts() {
        return attempts;
    }

    /**
     * Whether the container reported an error on the client's request ({@link ContainerError}): the request and
     * response are the container's to end, and may be recycled already; the proxy no longer touches them.
     */
    boolean containerEnds() {
        return containerError.reported();
    }

    /** Committed as the client's response is; a request the container ends can take nothing else either. */
    @Override
    public boolean committed() {
        if (containerEnds()) {
            return true;
        }
        try {
            return response.isCommitted();
        } catch (IllegalStateException recycled) {
            if (containerEnds()) {
                return true; // the container's error came meanwhile, and the request was recycled
            }
            throw recycled;
        }
    }

    /** Resets the response, head and buffer, unless bytes of it reached the client or the container ends it. */
    @Override
    public boolean dropAnswer() {
        if (containerEnds()) {
            return false;
        }
        try {
            response.reset();
            return true;
        } catch (IllegalStateException committedOrRecycled) {
            return false; // it reached the client after all, or the container's error came meanwhile
        }
    }

    /**
     * What the hash strategy hashes for {@code key}: the named header's or cookie's value, else the client's
     * address.
     */
    static String hashKey(HttpServletRequest request, String key, String clientAddress) {
        String value = null;
        if (key.startsWith("header:")) {
            value = request.getHeader(key.substring("header:".length()));
        } else if (key.startsWith("cookie:") && request.getCookies() != null) {
            String cookieName = key.substring("cookie:".length());
            for (Cookie cookie : request.getCookies()) {
                if (cookie.getName().equals(cookieName)) {
                    value = cookie.getValue();
                }
            }
        }
        return value != null ? value : clientAddress;
    }
}
