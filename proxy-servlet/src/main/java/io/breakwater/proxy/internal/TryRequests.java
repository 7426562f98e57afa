package io.breakwater.proxy.internal;

import io.breakwater.core.error.RequestIds;
import io.breakwater.proxy.BalancingProxyServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Builds one try's request to its backend from the client's request: target, headers, body and timeout, and the
 * notices that tell its {@link Attempt} it connected. One per servlet; thread-safe.
 */
public final class TryRequests {
    private final BalancingProxyServlet servlet;
    private final HeaderTemplates requestHeaders;
    private final ConnectionWait connectionWait;
    private final Scheduler scheduler;

    public TryRequests(BalancingProxyServlet servlet, HeaderTemplates requestHeaders, ConnectionWait connectionWait,
            Scheduler scheduler) {
        this.servlet = servlet;
        this.requestHeaders = requestHeaders;
        this.connectionWait = connectionWait;
        this.scheduler = scheduler;
    }

    /** One try's request to the chosen backend, with its headers, body and timeout; not sent yet. */
    Request build(Exchange exchange, Attempt attempt, TryListener listener) {
        HttpServletRequest request = exchange.request();
        Request proxyRequest = servlet.proxyRequest(request, attempt.backend.uri());
        ForwardedTarget.carry(proxyRequest, ForwardedTarget.of(request));
        Map<String, String> extra = requestHeaders.resolve(exchange.clientAddress(), exchange.requestId());
        proxyRequest.headers(headers -> {
            if (!headers.contains(HttpHeader.HOST)) {
                // What Jetty's client would send, from the target's authority; without it the client builds the
                // target's URI anew to find it, parsing it twice per request (BENCHMARKS.md)
                headers.put(HttpHeader.HOST, attempt.backend.hostPort());
            }
            // The body is complete or streamed already; the backend need not ask for it.
            headers.remove(HttpHeader.EXPECT);
            headers.put(RequestIds.HEADER, exchange.requestId());
            headers.put(BalancingProxyServlet.DEADLINE_HEADER, Long.toString(attempt.budget.toMillis()));
            extra.forEach(headers::put);
        });
        if (exchange.body() != null) {
            proxyRequest.body(new BytesRequestContent(contentType(request), exchange.body()));
        }
        if (exchange.streamedBody() == null) {
            proxyRequest.timeout(attempt.budget.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            proxyRequest.body(exchange.streamedBody());
            // Timed from the body's end: until then the try waits on the client (bodyReadTimeout), not the backend.
            proxyRequest.onRequestSuccess(sent -> listener.answerTimer(scheduler.schedule(
                    () -> proxyRequest.abort(new TimeoutException("no answer in " + attempt.budget.toMillis()
                            + " ms after the body")), attempt.budget.toMillis(), TimeUnit.MILLISECONDS)));
        }
        // Begin comes before any byte is written, on the sending thread: a try that never began never reached
        // the backend. (Commit is no such proof: its notice can race with the failure of a closed connection.)
        proxyRequest.onRequestBegin(begun -> attempt.connected());
        connectionWait.limit(proxyRequest, attempt);
        return proxyRequest;
    }

    private static String contentType(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null ? type : "application/octet-stream";
    }

}
