package io.breakwater.core.error;

import java.util.Map;

/**
 * A failure that Breakwater answers with its own error code: later filters and the proxy throw it, and
 * {@code ExceptionHandlingFilter} renders it (or {@link ErrorResponse} does directly where nothing is in front).
 * It carries no stack trace, because it is an answer, not a bug. Immutable.
 */
public class BreakwaterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode errorCode;
    private final transient Map<String, String> headers;

    public BreakwaterException(ErrorCode errorCode) {
        this(errorCode, Map.of());
    }

    /** With response headers to add, such as {@code Retry-After}. */
    public BreakwaterException(ErrorCode errorCode, Map<String, String> headers) {
        super(errorCode.code(), null, false, false);
        this.errorCode = errorCode;
        this.headers = Map.copyOf(headers);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
