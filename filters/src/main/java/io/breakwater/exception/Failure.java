package io.breakwater.exception;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ClientGone;
import io.breakwater.core.error.ErrorCode;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * What a throwable from the chain means for the answer: a client that went away, an answer with a known code
 * (Breakwater's own, the app's mappings, a request the container rejected), or an internal error. Immutable.
 */
final class Failure {
    enum Kind {
        /** The client closed or reset the connection: nobody to answer, not the app's fault. */
        CLIENT_GONE,
        /** An expected answer with a code: no stack trace in the log. */
        ANSWER,
        /** A bug or an unexpected failure: 500 and the stack trace in the log. */
        INTERNAL
    }

    private static final int MAX_CAUSES = 16;

    final Kind kind;
    final ErrorCode errorCode;
    final Map<String, String> headers;

    private Failure(Kind kind, ErrorCode errorCode, Map<String, String> headers) {
        this.kind = kind;
        this.errorCode = errorCode;
        this.headers = headers;
    }

    static Failure classify(Throwable thrown, List<ExceptionMapping> mappings) {
        // first, because a container wraps a client's early EOF in its own 400 rejection
        if (ClientGone.isCause(thrown)) {
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
            int rejected = containerRejection(t);
            if (rejected == 413) {
                return new Failure(Kind.ANSWER, ErrorCode.PAYLOAD_TOO_LARGE, Map.of());
            }
            if (rejected >= 400 && rejected < 500) {
                return new Failure(Kind.ANSWER, ErrorCode.BAD_REQUEST.withStatus(rejected), Map.of());
            }
        }
        return new Failure(Kind.INTERNAL, ErrorCode.INTERNAL_ERROR, Map.of());
    }

    /**
     * The 4xx status of a container's rejection of a malformed request, or 0: Jetty's {@code HttpException}s
     * ({@code BadMessageException}), found by name so that the filters need no Jetty on their class path.
     */
    private static int containerRejection(Throwable t) {
        for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> face : type.getInterfaces()) {
                if (face.getName().equals("org.eclipse.jetty.http.HttpException")) {
                    return code(t);
                }
            }
        }
        return 0;
    }

    private static int code(Throwable t) {
        try {
            Method getCode = t.getClass().getMethod("getCode");
            return (Integer) getCode.invoke(t);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return 400;
        }
    }
}
