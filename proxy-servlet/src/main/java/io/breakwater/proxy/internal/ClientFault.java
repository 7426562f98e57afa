package io.breakwater.proxy.internal;

import io.breakwater.core.error.ErrorCode;
import java.util.concurrent.TimeoutException;

/**
 * How a client spoiled its own request, each with the answer it gets and the name it is counted under
 * ({@code proxy.<servlet>.clientFaults.<name>}). None of them is a backend's failure. Immutable.
 */
public enum ClientFault {
    /**
     * The body ended before its {@code Content-Length} or last chunk (the client half-closed, closed or reset), or
     * its chunked framing was malformed. One kind: Jetty's parser ends the body at a bad chunk and reports an early
     * end, as it reports a reset, so the three cannot be told apart from what reading the body says.
     */
    BAD_BODY("badBody", ErrorCode.BAD_REQUEST),
    /**
     * The client sent nothing of its body for {@code bodyReadTimeout} (answered 408), or took nothing of the answer
     * for {@code clientIdleTimeout} (its connection aborted).
     */
    STALLED("stalled", ErrorCode.REQUEST_TIMEOUT),
    /**
     * The path or query cannot be forwarded as the container received it (a {@code %} without two hex digits, a
     * space, control or non-ASCII character, a {@code //} that begins the path): see {@code ForwardedTarget}.
     */
    BAD_TARGET("badTarget", ErrorCode.BAD_REQUEST),
    /** A streamed body ran past {@code maxBodySize}. */
    TOO_LARGE("tooLarge", ErrorCode.PAYLOAD_TOO_LARGE),
    /** The client reset its connection or stopped taking the answer: nobody is left to answer. */
    GONE("gone", null);

    private static final int MAX_CAUSES = 16;

    public final String metricName;
    /** The answer, or {@code null}: none can reach the client. */
    final ErrorCode answer;

    ClientFault(String metricName, ErrorCode answer) {
        this.metricName = metricName;
        this.answer = answer;
    }

    /** What a failure reading the client's body says about the client. */
    static ClientFault ofReadFailure(Throwable failure) {
        // the container's own idle timeout, when shorter than bodyReadTimeout, is a stall; anything else an early
        // end (a reset included), or framing the container's parser refused
        return timedOut(failure) ? STALLED : BAD_BODY;
    }

    /** What a failure writing the answer to the client says about the client. */
    static ClientFault ofWriteFailure(Throwable failure) {
        // the container's own idle timeout, when shorter than clientIdleTimeout, is a client that took nothing
        return timedOut(failure) ? STALLED : GONE;
    }

    private static boolean timedOut(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Fails a streamed try with the client's fault; no stack trace, it is no error of the proxy. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public Failure(ClientFault fault) {
            super("client's fault: " + fault.metricName, null, false, false);
        }
    }
}
