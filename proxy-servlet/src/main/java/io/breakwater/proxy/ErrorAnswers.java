package io.breakwater.proxy;

import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.ErrorResponse;
import io.breakwater.core.error.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's own answers that end a request: the contract's error, or an aborted connection. Thread-safe. */
final class ErrorAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswers.class);

    private ErrorAnswers() {
    }

    /**
     * Answers with the error and ends the request; {@code error} {@code null}, or a response committed already:
     * the connection is aborted instead, so that the client never takes a part for the whole.
     */
    static void answer(HttpServletRequest request, HttpServletResponse response, ErrorCode error,
            Map<String, String> headers) {
        try {
            if (error == null || !ErrorResponse.send(request, response, error, headers)) {
                response.sendError(-1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not answer {}", request.getAttribute(RequestIds.ATTRIBUTE), e);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().complete();
            }
        }
    }

    /** The rest of a spoiled body is never read: the connection cannot carry another request, and is closed. */
    static void answerFault(HttpServletRequest request, HttpServletResponse response, ClientFault fault) {
        answer(request, response, fault.answer, Map.of("Connection", "close"));
    }
}
