package io.breakwater.exception.internal;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ContainerRejection;
import java.util.List;
import java.util.Map;

/**
 * What a throwable from the chain means for the answer: a client that went away, an answer with a known code
 * (Breakwater's own, the app's mappings, a request the container rejected), or an internal error. Immutable.
 */
public final class Failure {
    public enum Kind {
        /** The client closed or reset the connection: nobody to answer, not the app's fault. */
        CLIENT_GONE,
        /** An expected answer with a code: no stack trace in the log. */
        ANSWER,
        /** A bug or an unexpected failure: 500 and the stack trace in the log. */
        INTERNAL
    }

    private static final int MAX_CAUSES = 16;

    public final Kind kind;
    public final ErrorCode errorCode;
    public final Map<String, String> headers;

    private Failure(Kind kind, ErrorCode errorCode, Map<String, String> headers) {
        this.kind = kind;
        this.errorCode = errorCode;
        this.headers = headers;
    }

    /**
     * What {@code thrown} means, given whether the chain recorded a failed read or write on the client's own
     * connection ({@code clientFailed}): only then did the client go away, whatever the exception's type.
     */
    public static Failure classify(Throwable thrown, List<ExceptionMapping> mappings, boolean clientFailed) {
        // first, because a container wraps a client's early EOF in its own 400 rejection
        if (clientFailed) {
            return new Failure(Kind.CLIENT_GONE, null, Map.of());
        }
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof BreakwaterException) {
                BreakwaterException own = (BreakwaterException) t;
                return new Failure(Kind.ANSWER, own.errorCode(), own.headers());
            }
            for (ExceptionMapping mapping : mappings) {
                if (mapping.matches(t)) {
                    return new Failure(Kind.ANSWER, mapping.errorCode(), Map.of());
                }
            }
            int rejected = ContainerRejection.status(t);
            if (rejected == 413) {
                return new Failure(Kind.ANSWER, ErrorCode.PAYLOAD_TOO_LARGE, Map.of());
            }
            if (rejected >= 400 && rejected < 500) {
                return new Failure(Kind.ANSWER, ErrorCode.BAD_REQUEST.withStatus(rejected), Map.of());
            }
        }
        return new Failure(Kind.INTERNAL, ErrorCode.INTERNAL_ERROR, Map.of());
    }
}
