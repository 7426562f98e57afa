package io.breakwater.sample.launcher;

import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.ErrorResponse;
import io.breakwater.core.error.RequestIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The server's own error answers in the error contract's form: what Jetty rejects before a request reaches the web
 * app (a malformed request line or header, a header block over the limit: 400, 431, ...) gets problem+json with
 * {@code X-Request-Id}, like everything behind the filters, instead of Jetty's HTML page. The web app's own errors
 * stay with its filters and {@code ProblemErrorServlet}. Every method gets a body but HEAD, whatever the client's
 * {@code Accept}. Stateless and thread-safe.
 */
class ProblemErrorHandler extends ErrorHandler {
    private static final String CACHE_CONTROL = "no-store";
    private static final String UNPARSED_METHOD = "BAD";

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateCacheControl(Response response) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, CACHE_CONTROL);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        ErrorCode error = ErrorCode.forStatus(code);
        String requestId = RequestIds.forCaller(request.getHeaders().get(RequestIds.HEADER));
        // Jetty answers a request line it could not parse through a stand-in request, "BAD /badMessage": no instance
        String path = UNPARSED_METHOD.equals(request.getMethod()) || request.getHttpURI() == null ? null
                : request.getHttpURI().getPath();
        byte[] body = ErrorResponse.body(error, requestId, path).getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.status());
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ErrorResponse.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
    }
}
