package io.breakwater.core.error;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stable, machine-readable error code with its HTTP status and short human message, as the error contract
 * lists them. Apps may define their own codes through {@code exceptionMappings}. Immutable.
 */
public final class ErrorCode {
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    public static final ErrorCode INTERNAL_ERROR = new ErrorCode("INTERNAL_ERROR", 500, "Internal server error");
    public static final ErrorCode BAD_REQUEST = new ErrorCode("BAD_REQUEST", 400, "Bad request");
    public static final ErrorCode PAYLOAD_TOO_LARGE = new ErrorCode("PAYLOAD_TOO_LARGE", 413, "Payload too large");
    public static final ErrorCode TIMEOUT = new ErrorCode("TIMEOUT", 503, "Request timed out");
    public static final ErrorCode CIRCUIT_OPEN = new ErrorCode("CIRCUIT_OPEN", 503, "Circuit open");
    public static final ErrorCode NO_HEALTHY_BACKENDS =
            new ErrorCode("NO_HEALTHY_BACKENDS", 503, "No healthy backends");
    public static final ErrorCode BACKEND_ERROR = new ErrorCode("BACKEND_ERROR", 502, "Backend error");
    public static final ErrorCode BACKEND_TIMEOUT = new ErrorCode("BACKEND_TIMEOUT", 504, "Backend timeout");
    public static final ErrorCode OVERLOADED = new ErrorCode("OVERLOADED", 503, "Overloaded");
    /** The client was too slow to send its request body (RFC 9110's 408; never a server-side timeout). */
    public static final ErrorCode REQUEST_TIMEOUT = new ErrorCode("REQUEST_TIMEOUT", 408, "Request timeout");

    private final String code;
    private final int status;
    private final String error;

    public ErrorCode(String code, int status, String error) {
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("code must be upper-case letters, digits and _, but was " + code);
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be between 400 and 599, but was " + status);
        }
        this.code = code;
        this.status = status;
        this.error = Objects.requireNonNull(error);
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /**
     * The code of a status that a container or an app answered with {@code sendError}: 400 {@code BAD_REQUEST}, 408
     * {@code REQUEST_TIMEOUT}, 413 {@code PAYLOAD_TOO_LARGE}, 500 {@code INTERNAL_ERROR}, another from 400 to 599 a
     * code made of its reason phrase ({@code NOT_FOUND}); a status outside that range is no error status, so
     * {@code INTERNAL_ERROR}.
     */
    public static ErrorCode forStatus(int status) {
        switch (status < 400 || status > 599 ? 500 : status) {
            case 400:
                return BAD_REQUEST;
            case 408:
                return REQUEST_TIMEOUT;
            case 413:
                return PAYLOAD_TOO_LARGE;
            case 500:
                return INTERNAL_ERROR;
            default:
                String reason = HttpReasons.of(status);
                String code = reason.toUpperCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
                return new ErrorCode(code, status, reason.charAt(0) + reason.substring(1).toLowerCase(Locale.ROOT));
        }
    }

    /** The same code and message with another status (for example a timeout answered with 504). */
    public ErrorCode withStatus(int otherStatus) {
        return otherStatus == status ? this : new ErrorCode(code, otherStatus, error);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorCode && ((ErrorCode) o).code.equals(code) && ((ErrorCode) o).status == status;
    }

    @Override
    public int hashCode() {
        return code.hashCode() * 31 + status;
    }

    @Override
    public String toString() {
        return code + "(" + status + ")";
    }
}
