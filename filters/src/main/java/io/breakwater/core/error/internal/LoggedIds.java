package io.breakwater.core.error.internal;

import io.breakwater.core.error.RequestIds;
import org.slf4j.MDC;

/**
 * Puts a request's id in the logging MDC for the lines logged about it on a thread that may be serving another
 * request (a scheduler's, an async listener's), and puts back what was there. Thread-safe (the MDC is per thread).
 */
public final class LoggedIds {
    private LoggedIds() {
    }

    /** Puts {@code requestId} (when not {@code null}) under {@link RequestIds#MDC_KEY}; returns the id it replaced. */
    public static String enter(String requestId) {
        String previousId = MDC.get(RequestIds.MDC_KEY);
        if (requestId != null) {
            MDC.put(RequestIds.MDC_KEY, requestId);
        }
        return previousId;
    }

    /** Puts back the id that {@link #enter} returned, or removes the key when there was none. */
    public static void restore(String previousId) {
        if (previousId == null) {
            MDC.remove(RequestIds.MDC_KEY);
        } else {
            MDC.put(RequestIds.MDC_KEY, previousId);
        }
    }
}
