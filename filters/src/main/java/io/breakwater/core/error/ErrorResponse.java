package io.breakwater.core.error;

import io.breakwater.core.json.Json;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the error contract's answer: {@code application/problem+json}, an RFC 9457 body with {@code error},
 * {@code code} and {@code requestId}, no body for HEAD, nothing internal ever. Stateless and thread-safe.
 */
public final class ErrorResponse {
    public static final String CONTENT_TYPE = "application/problem+json";

    private ErrorResponse() {
    }

    /**
     * Answers the request with the error, replacing whatever the response held, and marks a {@link Refusal} as one.
     * Returns {@code false}, writing nothing, when the response is already committed: the caller must then abort the
     * connection.
     */
    public static boolean send(HttpServletRequest request, HttpServletResponse response, ErrorCode error,
            Map<String, String> headers) throws IOException {
        if (Refusal.isRefusal(error)) {
            Refusal.mark(request);
        }
        if (response.isCommitted()) {
            return false;
        }
        String requestId = RequestIds.resolve(request, response);
        response.reset();
        response.setHeader(RequestIds.HEADER, requestId);
        response.setStatus(error.status());
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        headers.forEach(response::setHeader);
        byte[] body = body(error, requestId, originalUri(request)).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
        response.flushBuffer();
        return true;
    }

    public static boolean send(HttpServletRequest request, HttpServletResponse response, ErrorCode error)
            throws IOException {
        return send(request, response, error, Map.of());
    }

    /** The URI the client asked for, also on an async or forward dispatch to another path. */
    static String originalUri(HttpServletRequest request) {
        Object uri = request.getAttribute(AsyncContext.ASYNC_REQUEST_URI);
        if (uri == null) {
            uri = request.getAttribute(RequestDispatcher.FORWARD_REQUEST_URI);
        }
        return uri instanceof String ? (String) uri : request.getRequestURI();
    }

    /** The problem+json body. */
    public static String body(ErrorCode error, String requestId, String instance) {
        StringBuilder json = new StringBuilder(192);
        json.append("{\"type\":\"about:blank\",\"title\":");
        Json.string(json, HttpReasons.of(error.status()));
        json.append(",\"status\":").append(error.status());
        json.append(",\"error\":");
        Json.string(json, error.error());
        json.append(",\"code\":");
        Json.string(json, error.code());
        json.append(",\"requestId\":");
        Json.string(json, requestId);
        if (instance != null) {
            json.append(",\"instance\":");
            Json.string(json, instance);
        }
        return json.append('}').toString();
    }
}
