package io.breakwater.proxy.internal;

import io.breakwater.core.error.RequestIds;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.proxy.BalancingProxyServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Builds one try's request to its backend from the client's request: target, headers, body and timer, and the
 * notices that tell its {@link Attempt} it connected. One per servlet; thread-safe.
 */
public final class TryRequests {
    /** How much longer than the proxy's longest timer Jetty's idle timeout waits on a try's connection. */
    static final long IDLE_MARGIN_MS = 1000;

    private final BalancingProxyServlet servlet;
    private final HeaderTemplates requestHeaders;
    private final ConnectionWait connectionWait;
    private final TryTimer.Times times;
    /**
     * Jetty's own idle timeout on a backend connection while a try is on it, past every timer of the proxy's: Jetty
     * cannot tell whom the connection waits on (a backend that sends nothing, or a client that takes nothing, for
     * which the proxy stops reading), so the proxy's timers, which can, must fire first.
     */
    private final long connectionIdleMillis;

    public TryRequests(BalancingProxyServlet servlet, ProxyConfig config, ConnectionWait connectionWait,
            TimeoutScheduler timers) {
        this.servlet = servlet;
        this.requestHeaders = config.requestHeaders;
        this.connectionWait = connectionWait;
        this.times = new TryTimer.Times(timers, config.backendIdleTimeout, config.clientIdleTimeout);
        long longest = Math.max(Math.max(config.tryTimeout.toMillis(), config.bodyReadTimeout.toMillis()),
                Math.max(config.backendIdleTimeout.toMillis(), config.clientIdleTimeout.toMillis()));
        this.connectionIdleMillis = longest + IDLE_MARGIN_MS;
    }

    /** One try's request to the chosen backend, with its headers, body and timer; not sent yet. */
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
        proxyRequest.idleTimeout(connectionIdleMillis, TimeUnit.MILLISECONDS);
        TryTimer timer = new TryTimer(times, listener);
        listener.timer(timer);
        Deadline deadline = request.getAttribute(Deadline.ATTRIBUTE) instanceof Deadline set ? set : null;
        if (exchange.streamedBody() != null) {
            proxyRequest.body(exchange.streamedBody());
            // Timed from the body's end: until then the try waits on the client (bodyReadTimeout), not the backend.
            proxyRequest.onRequestSuccess(sent -> timer.start(attempt.budget, deadline));
        }
        // Begin comes before any byte is written, on the sending thread: a try that never began never reached
        // the backend. (Commit is no such proof: its notice can race with the failure of a closed connection.)
        proxyRequest.onRequestListener(listener); // records the try's phases: a begun try may have reached its backend
        connectionWait.limit(proxyRequest, attempt);
        if (exchange.streamedBody() == null) {
            timer.start(attempt.budget, deadline); // last: a request that could not be built is never timed
        }
        return proxyRequest;
    }

    private static String contentType(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null ? type : "application/octet-stream";
    }
}
