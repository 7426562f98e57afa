package io.breakwater.core.error.internal;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;

/**
 * Whether a failure is the client's mistake, not the failing code's: a breaker (a route's or a guarded filter's)
 * counts it as no failure. Stateless and thread-safe.
 */
public final class ClientMistake {
    private static final int MAX_CAUSES = 16;

    private ClientMistake() {
    }

    /**
     * Whether {@code thrown} or one of its causes is the container's rejection of a malformed request
     * ({@link ContainerRejection}), or the nearest {@link BreakwaterException} among them answers a 4xx
     * ({@code BAD_REQUEST}, {@code PAYLOAD_TOO_LARGE} and the like). A {@code TIMEOUT} is never the client's, even
     * when configured to answer 408: time ran out on the server's work.
     */
    public static boolean isCause(Throwable thrown) {
        if (ContainerRejection.isCause(thrown)) {
            return true;
        }
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof BreakwaterException) {
                ErrorCode code = ((BreakwaterException) t).errorCode();
                return code.status() < 500 && !code.code().equals(ErrorCode.TIMEOUT.code());
            }
        }
        return false;
    }
}
