package io.breakwater.error;

import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.ErrorResponse;
import io.breakwater.core.error.RequestIds;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * An error page ({@code <error-page>} in web.xml) that renders the container's and the app's {@code sendError}
 * answers in the error contract's problem+json form: 400 {@code BAD_REQUEST}, 413 {@code PAYLOAD_TOO_LARGE},
 * 500 {@code INTERNAL_ERROR}, other statuses a code made of their reason phrase ({@code NOT_FOUND}). The
 * container's own message is never shown. Stateless and thread-safe.
 */
public class ProblemErrorServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int code = status instanceof Integer ? (Integer) status : response.getStatus();
        ErrorCode error = ErrorCode.forStatus(code);
        String previousUri = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (response.isCommitted()) {
            return;
        }
        String requestId = RequestIds.resolve(request, response);
        response.resetBuffer();
        response.setStatus(error.status());
        response.setContentType(ErrorResponse.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        byte[] body = ErrorResponse.body(error, requestId, previousUri == null ? request.getRequestURI() : previousUri)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }
}
