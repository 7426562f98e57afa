package io.breakwater.core.error;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id of the error contract: the caller's {@code X-Request-Id} when it is a safe token (at most 128 of
 * {@code [A-Za-z0-9._-]}), else a new one; kept in a request attribute and echoed in the response. Thread-safe.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = "io.breakwater.requestId";
    /** The MDC key of the request id in log lines. */
    public static final String MDC_KEY = "requestId";
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    /**
     * The request's id, assigned (and set on the response) the first time it is asked for. It is kept in request
     * attribute {@value #ATTRIBUTE}; {@code ExceptionHandlingFilter}'s request answers that attribute from a field
     * of its own, so that most requests never make the container build its attribute map for it. Code that is
     * handed another request of the same exchange (a later dispatch, an async listener's event) finds the id on
     * the response, where it was set first.
     */
    public static String resolve(HttpServletRequest request, HttpServletResponse response) {
        Object known = request.getAttribute(ATTRIBUTE);
        if (known instanceof String) {
            return (String) known;
        }
        return begin(request, response);
    }

    /**
     * The id of a request whose first dispatch begins, without asking the request's attributes (the container's
     * lookup of a missing attribute is the dearest step of {@link #resolve}): the one on the response if code
     * before set it, else the caller's if it is safe, else a new one; kept in the request and set on the response.
     */
    public static String begin(HttpServletRequest request, HttpServletResponse response) {
        String answered = response.getHeader(HEADER);
        if (isSafe(answered)) {
            request.setAttribute(ATTRIBUTE, answered);
            return answered;
        }
        String id = forCaller(request.getHeader(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        return id;
    }

    /** The id of a request whose caller sent {@code callerId} (or {@code null}): it if it is safe, else a new one. */
    public static String forCaller(String callerId) {
        return isSafe(callerId) ? callerId : newId();
    }

    /** The id already assigned to a request, or {@code null}. */
    public static String of(HttpServletRequest request) {
        Object known = request.getAttribute(ATTRIBUTE);
        return known instanceof String ? (String) known : null;
    }

    public static boolean isSafe(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 16 random hex digits: unique enough to find a request in the logs, cheap to make. */
    static String newId() {
        long bits = ThreadLocalRandom.current().nextLong();
        char[] out = new char[16];
        for (int i = 15; i >= 0; i--) {
            out[i] = HEX[(int) (bits & 0xF)];
            bits >>>= 4;
        }
        return new String(out);
    }
}
