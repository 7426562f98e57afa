package io.breakwater.proxy.internal;

import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.time.Deadline;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's own answers that end a request: the contract's error, or an aborted connection. Thread-safe. */
public final class ErrorAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswers.class);
    /**
     * What the chain's filters learn broke an aborted answer: the backend's or the proxy's failure, never the
     * client's. Without a cause, so that nothing in it reads as the client going away.
     */
    static final Throwable BROKEN_ANSWER = new BrokenAnswer();

    private ErrorAnswers() {
    }

    /**
     * Answers with the error and ends the request; {@code error} {@code null}, or a response committed already:
     * the connection is aborted instead, so that the client never takes a part for the whole.
     */
    public static void answer(HttpServletRequest request, HttpServletResponse response, ErrorCode error,
            Map<String, String> headers) {
        boolean timeoutEnds = false;
        try {
            if (error == null || !ErrorResponse.send(request, response, error, headers)) {
                if (pastDeadline(request)) {
                    timeoutEnds = true;
                    return;
                }
                // Jetty's abort tells no async listener: the chain's filters are told first (a client gone is
                // nobody's failure; a committed answer that could not be replaced broke)
                AsyncStarts.aborting(request, error == null ? null : BROKEN_ANSWER);
                response.sendError(-1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not answer {}", request.getAttribute(RequestIds.ATTRIBUTE), e);
        } finally {
            if (!timeoutEnds && request.isAsyncStarted()) {
                request.getAsyncContext().complete();
            }
        }
    }

    /**
     * Whether the request ran past its deadline (TimeoutFilter's): its timeout refuses the proxy's writes and its
     * abort, answers or aborts the request itself and tells the chain, so the proxy must not complete it as if
     * the answer were whole.
     */
    static boolean pastDeadline(HttpServletRequest request) {
        return Deadline.of(request).map(Deadline::isExpired).orElse(false);
    }

    /** The rest of a spoiled body is never read: the connection cannot carry another request, and is closed. */
    public static void answerFault(HttpServletRequest request, HttpServletResponse response, ClientFault fault) {
        answer(request, response, fault.answer, Map.of("Connection", "close"));
    }

    /** An answer the proxy aborted because it broke; no stack trace, it is no bug. */
    private static final class BrokenAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        BrokenAnswer() {
            super("the answer broke after it was committed", null, false, false);
        }
    }
}
