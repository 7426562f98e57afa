package io.breakwater.core.error;

import jakarta.servlet.ServletRequest;
import java.util.Set;

/**
 * Marks an answer as the suite's own refusal to pass a request on (no healthy backend, an open circuit, a shed
 * request, no connection to a backend in time), so that a circuit breaker does not book it as the route's failure:
 * the app and its backends never saw the request. Only the app's or the backends' answers count. Stateless and
 * thread-safe.
 */
public final class Refusal {
    /** The request attribute that marks a refused request; its value is {@link Boolean#TRUE}. */
    public static final String ATTRIBUTE = "io.breakwater.error.refused";
    /**
     * The codes the suite answers only when it refused the request itself. By code rather than by constant, so that
     * a component's own refusal code ({@code OVERLOADED} of the concurrency limit) is known here without it.
     */
    private static final Set<String> CODES = Set.of("CIRCUIT_OPEN", "NO_HEALTHY_BACKENDS", "OVERLOADED");

    private Refusal() {
    }

    /** Whether answering with this code means the suite refused the request. */
    public static boolean isRefusal(ErrorCode error) {
        return CODES.contains(error.code());
    }

    /** Marks the request as refused by the suite; for a refusal answered with another code. */
    public static void mark(ServletRequest request) {
        request.setAttribute(ATTRIBUTE, Boolean.TRUE);
    }

    /** Whether the suite refused the request rather than pass it on. */
    public static boolean isMarked(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) == Boolean.TRUE;
    }
}
