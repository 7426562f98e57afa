package io.breakwater.proxy;

import io.breakwater.config.ConfigReader;
import io.breakwater.error.ErrorCode;
import io.breakwater.error.ErrorResponse;
import io.breakwater.error.RequestIds;
import io.breakwater.health.Readiness;
import io.breakwater.metrics.BreakwaterMetrics;
import io.breakwater.metrics.Jmx;
import io.breakwater.proxy.FailoverPolicy.Failure;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendPool;
import io.breakwater.proxy.balance.BalanceStrategy;
import io.breakwater.timeout.TimeoutScheduler;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;

/**
 * A reverse proxy servlet that balances requests over configured backends and fails over when one dies, freezes
 * or answers with a failover status, on Jetty's asynchronous {@link ProxyServlet}. A request body up to
 * {@code replayBufferSize} is buffered so that it can be sent again; a larger one is streamed and not retried.
 * Nothing is written to the client before a backend's answer is accepted, so a failover never mixes two answers.
 * Thread-safe.
 */
public class BalancingProxyServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    /** Tells the backend how long the proxy will wait for this try, so that it can give up too. */
    public static final String DEADLINE_HEADER = "X-Request-Deadline-Ms";
    private static final ResponseHeaders.HopByHop HOP_BY_HOP = new ResponseHeaders.HopByHop(HOP_HEADERS);

    private final transient Clock clock;
    private transient ProxyConfig config;
    private transient BackendPool pool;
    private transient BalanceStrategy strategy;
    private transient FailoverPolicy failover;
    private transient ForwardedHeaders forwarded;
    private transient ProxyMetrics metrics;
    private transient HealthChecker healthChecker;
    private transient TimeoutScheduler connectionWaits;
    private transient ObjectName poolMBean;

    public BalancingProxyServlet() {
        this(Clock.systemUTC());
    }

    /** With the clock that times passive ejections (tests move it). */
    public BalancingProxyServlet(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws ServletException {
        config = new ProxyConfig(ConfigReader.of(getServletConfig()));
        super.init();
        String name = getServletName();
        metrics = new ProxyMetrics(BreakwaterMetrics.acquire(getServletContext()), getServletContext(), name);
        BackendPool.Ejection ejection = new BackendPool.Ejection(config.ejectAfterFailures, config.ejectionTime,
                config.maxEjectionTime, config.maxEjectedPercent);
        pool = new BackendPool(config.backends, clock, ejection, metrics::added, metrics::removed);
        strategy = BalanceStrategy.named(config.strategy, pool);
        failover = new FailoverPolicy(config.maxAttempts, config.retryNonIdempotent, pool);
        forwarded = new ForwardedHeaders(config.trustedProxies);
        poolMBean = Jmx.register(pool, Jmx.name(getServletContext(), "BackendPool", name));
        if (config.healthChecks()) {
            healthChecker = new HealthChecker(pool, getHttpClient(), config, name);
            healthChecker.start();
        }
        if (!config.connectionWait.isZero()) {
            connectionWaits = new TimeoutScheduler("proxy-" + name);
        }
        Readiness.of(getServletContext()).register(readinessName(), this::unready);
    }

    private String readinessName() {
        return "proxy " + getServletName();
    }

    /** Not ready while no backend may take a request: each one unhealthy, ejected, draining or disabled. */
    private Optional<String> unready() {
        List<Backend> backends = pool.all();
        if (backends.stream().anyMatch(Backend::isAvailable)) {
            return Optional.empty();
        }
        return Optional.of("no usable backend behind proxy \"" + getServletName() + "\" (" + backends.size()
                + " configured)");
    }

    @Override
    public void destroy() {
        if (pool != null) {
            Readiness.of(getServletContext()).unregister(readinessName());
        }
        if (healthChecker != null) {
            healthChecker.stop();
        }
        if (connectionWaits != null) {
            connectionWaits.stop();
        }
        if (poolMBean != null) {
            Jmx.unregister(poolMBean);
        }
        if (metrics != null) {
            metrics.close();
            BreakwaterMetrics.release(getServletContext());
        }
        super.destroy();
    }

    /** The backends, for tests and embedding code; the same object as the {@code BackendPool} MBean. */
    public BackendPool pool() {
        return pool;
    }

    /**
     * Jetty's client, with its scheduler thread named {@code breakwater-proxy-<servlet>-scheduler-N}. It speaks
     * HTTP/1.1 to the backends, as Jetty's default dynamic transport does when given no other protocol, without
     * that transport's choice of protocol list per request (BENCHMARKS.md).
     */
    @Override
    protected HttpClient newHttpClient(ClientConnector connector) {
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setName("breakwater-proxy-" + getServletName());
        return client;
    }

    /** Jetty's work, with less of it: see {@link ResponseHeaders}. */
    @Override
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
            Response serverResponse) {
        ResponseHeaders.copy(serverResponse, proxyResponse, HOP_BY_HOP,
                field -> filterServerResponseHeader(clientRequest, serverResponse, field));
    }

    @Override
    protected HttpClient createHttpClient() throws ServletException {
        HttpClient client = super.createHttpClient();
        client.setConnectTimeout(config.connectTimeout.toMillis());
        client.setMaxConnectionsPerDestination(config.maxConnectionsPerBackend);
        client.setMaxRequestsQueuedPerDestination(config.maxQueuedPerBackend);
        return client;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String requestId = RequestIds.resolve(request, response);
        if ("CONNECT".equals(request.getMethod())) {
            // A reverse proxy opens no tunnels: CONNECT could reach any host and port.
            ErrorResponse.send(request, response, ErrorCode.BAD_REQUEST.withStatus(405),
                    Map.of("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE"));
            return;
        }
        if (request.getContentLengthLong() > config.maxBodySize) {
            ErrorResponse.send(request, response, ErrorCode.PAYLOAD_TOO_LARGE);
            return;
        }
        RequestBody body;
        try {
            body = RequestBody.read(request, hasContent(request), config.replayBufferSize, config.maxBodySize);
        } catch (IOException e) {
            ErrorResponse.send(request, response, ErrorCode.BAD_REQUEST);
            return;
        }
        if (body.tooLarge()) {
            ErrorResponse.send(request, response, ErrorCode.PAYLOAD_TOO_LARGE);
            return;
        }
        Exchange exchange = new Exchange(request, response, requestId, forwarded.clientAddress(request),
                body.bytes(), body.stream());
        Backend backend = choose(exchange);
        if (backend == null) {
            ErrorResponse.send(request, response, ErrorCode.NO_HEALTHY_BACKENDS, Map.of("Retry-After", retryAfter()));
            return;
        }
        request.setAttribute(Exchange.ATTRIBUTE, exchange);
        // The proxy request carries its own timeout; the servlet's async cycle must not end first.
        request.startAsync().setTimeout(0);
        attempt(exchange, backend);
    }

    private Backend choose(Exchange exchange) {
        List<Backend> candidates = pool.candidates(exchange.tried());
        return candidates.isEmpty() ? null : strategy.choose(candidates, hashKey(exchange));
    }

    private String hashKey(Exchange exchange) {
        String key = config.hashKey;
        HttpServletRequest request = exchange.request();
        String value = null;
        if (key.startsWith("header:")) {
            value = request.getHeader(key.substring("header:".length()));
        } else if (key.startsWith("cookie:") && request.getCookies() != null) {
            String cookieName = key.substring("cookie:".length());
            for (Cookie cookie : request.getCookies()) {
                if (cookie.getName().equals(cookieName)) {
                    value = cookie.getValue();
                }
            }
        }
        return value != null ? value : exchange.clientAddress();
    }

    private String retryAfter() {
        long seconds = config.healthChecks() ? config.healthCheckInterval.toSeconds() : config.ejectionTime.toSeconds();
        return Long.toString(Math.max(1, seconds));
    }

    /** Sends one try of the exchange to a backend; its answer comes to an {@link AttemptListener}. */
    private void attempt(Exchange exchange, Backend backend) {
        HttpServletRequest request = exchange.request();
        Duration budget = exchange.budget(config.tryTimeout);
        if (budget.isZero()) {
            fail(exchange, ErrorCode.BACKEND_TIMEOUT);
            return;
        }
        Exchange.Attempt attempt = exchange.begin(backend, budget);
        if (exchange.attempts() > 1) {
            metrics.retry();
        }
        Request proxyRequest = newProxyRequest(request, rewriteTarget(request));
        copyRequestHeaders(request, proxyRequest);
        addProxyHeaders(request, proxyRequest);
        Map<String, String> extra = config.requestHeaders.resolve(exchange.clientAddress(), exchange.requestId());
        proxyRequest.headers(headers -> {
            // The body is complete or streamed already; the backend need not ask for it.
            headers.remove(HttpHeader.EXPECT);
            headers.put(RequestIds.HEADER, exchange.requestId());
            headers.put(DEADLINE_HEADER, Long.toString(budget.toMillis()));
            extra.forEach(headers::put);
        });
        proxyRequest.timeout(budget.toMillis(), TimeUnit.MILLISECONDS);
        if (exchange.body() != null) {
            proxyRequest.body(new BytesRequestContent(contentType(request), exchange.body()));
        } else if (exchange.streamedBody() != null) {
            long length = request.getContentLengthLong();
            proxyRequest.body(new InputStreamRequestContent(contentType(request), exchange.streamedBody(),
                    new ByteBufferPool.Sized(getHttpClient().getByteBufferPool())) {
                @Override
                public long getLength() {
                    return length;
                }
            });
        }
        // Begin comes before any byte is written, on the sending thread: a try that never began never reached
        // the backend. (Commit is no such proof: its notice can race with the failure of a closed connection.)
        proxyRequest.onRequestBegin(begun -> attempt.connected = true);
        limitConnectionWait(proxyRequest, attempt);
        backend.begin();
        sendProxyRequest(request, exchange.response(), proxyRequest);
    }

    /**
     * Gives up on a backend whose connections stay busy past {@code connectionWait}: nothing was sent, so the
     * request may go to another backend whatever its method. Every request passes the client's queue, if only
     * for a moment, so the wait is timed on Breakwater's lock-free scheduler rather than the client's.
     */
    private void limitConnectionWait(Request proxyRequest, Exchange.Attempt attempt) {
        if (connectionWaits == null) {
            return;
        }
        proxyRequest.onRequestQueued(queued -> {
            TimeoutScheduler.Entry wait;
            try {
                wait = connectionWaits.schedule(() -> {
                    if (!attempt.connected) {
                        proxyRequest.abort(new NoConnectionInTime());
                    }
                }, config.connectionWait);
            } catch (RejectedExecutionException stopping) {
                return; // the servlet is being destroyed: its last requests wait as long as the client lets them
            }
            proxyRequest.onRequestBegin(begun -> wait.cancel());
        });
    }

    private static String contentType(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null ? type : "application/octet-stream";
    }

    /** The chosen backend and the client's path and query: neither the target's host nor Host can change it. */
    @Override
    protected String rewriteTarget(HttpServletRequest request) {
        Exchange exchange = (Exchange) request.getAttribute(Exchange.ATTRIBUTE);
        StringBuilder target = new StringBuilder(exchange.current().backend.key()).append(request.getRequestURI());
        String query = request.getQueryString();
        if (query != null) {
            target.append('?').append(query);
        }
        return target.toString();
    }

    /** {@code Via}, then the forwarding headers of {@link ForwardedHeaders#add}, in place of Jetty's. */
    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        addViaHeader(clientRequest, proxyRequest);
        forwarded.add(clientRequest, proxyRequest);
    }

    @Override
    protected Response.Listener newProxyResponseListener(HttpServletRequest request, HttpServletResponse response) {
        return new AttemptListener(request, response, (Exchange) request.getAttribute(Exchange.ATTRIBUTE));
    }

    /** After a failed try: the next backend, or the answer that ends the exchange. */
    private void afterFailure(Exchange exchange, Failure failure, Result result) {
        if (exchange.current().discarded || failover.mayRetry(exchange, failure)) {
            Backend next = choose(exchange);
            if (next != null) {
                attempt(exchange, next);
                return;
            }
        }
        if (exchange.response().isCommitted()) {
            // Too late for an error body: Jetty aborts the connection so the client sees a broken answer.
            super.onProxyResponseFailure(exchange.request(), exchange.response(), result.getResponse(),
                    result.getFailure());
            return;
        }
        fail(exchange, failure == Failure.TIMEOUT || isTimeout(result.getFailure())
                ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_ERROR);
    }

    private void fail(Exchange exchange, ErrorCode error) {
        try {
            if (!ErrorResponse.send(exchange.request(), exchange.response(), error)) {
                exchange.response().sendError(-1);
            }
        } catch (IOException | RuntimeException e) {
            _log.debug("could not answer {}", exchange.requestId(), e);
        } finally {
            if (exchange.request().isAsyncStarted()) {
                exchange.request().getAsyncContext().complete();
            }
        }
    }

    private static Failure classify(Exchange.Attempt attempt, Throwable failure) {
        if (failure instanceof FailoverStatus) {
            return Failure.STATUS;
        }
        if (!attempt.connected || causedBy(failure, java.net.ConnectException.class)) {
            return Failure.NOT_SENT;
        }
        return isTimeout(failure) ? Failure.TIMEOUT : Failure.RESET;
    }

    private static boolean isTimeout(Throwable failure) {
        return causedBy(failure, java.util.concurrent.TimeoutException.class)
                || causedBy(failure, java.net.SocketTimeoutException.class);
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Marks a try that found no free connection to its backend in time. */
    private static final class NoConnectionInTime extends Exception {
        private static final long serialVersionUID = 1L;

        NoConnectionInTime() {
            super("no connection in time", null, false, false);
        }
    }

    /** Marks an answer dropped for a failover status; no stack trace, it is not an error of the proxy. */
    private static final class FailoverStatus extends Exception {
        private static final long serialVersionUID = 1L;

        FailoverStatus() {
            super("failover status", null, false, false);
        }
    }

    /**
     * Receives one try's answer: drops it for a try elsewhere when its status calls for failover and another try
     * is allowed, else passes it to the client as Jetty's listener does.
     */
    private final class AttemptListener extends ProxyResponseListener {
        private final Exchange exchange;
        private final Exchange.Attempt attempt;

        AttemptListener(HttpServletRequest request, HttpServletResponse response, Exchange exchange) {
            super(request, response);
            this.exchange = exchange;
            this.attempt = exchange.current();
        }

        @Override
        public void onBegin(Response serverResponse) {
            attempt.begun = true;
            if (config.failoverStatuses.contains(serverResponse.getStatus())
                    && failover.mayRetry(exchange, Failure.STATUS)) {
                attempt.discarded = true;
                return;
            }
            super.onBegin(serverResponse);
        }

        @Override
        public void onHeaders(Response serverResponse) {
            if (attempt.discarded) {
                serverResponse.abort(new FailoverStatus());
                return;
            }
            super.onHeaders(serverResponse);
            exchange.response().setHeader(RequestIds.HEADER, exchange.requestId());
        }

        @Override
        public void onContent(Response serverResponse, Content.Chunk chunk, Runnable demander) {
            if (!attempt.discarded) {
                super.onContent(serverResponse, chunk, demander);
            }
        }

        @Override
        public void onComplete(Result result) {
            Backend backend = attempt.backend;
            long nanos = System.nanoTime() - attempt.startNanos;
            backend.end(nanos);
            metrics.latency(backend, nanos);
            boolean backendFailed = result.isFailed()
                    || config.failoverStatuses.contains(result.getResponse().getStatus());
            if (backendFailed) {
                pool.failed(backend);
            } else {
                backend.succeeded();
            }
            if (result.isSucceeded() && !attempt.discarded) {
                if (exchange.failedOver()) {
                    metrics.failover();
                }
                super.onComplete(result);
                return;
            }
            Failure failure = classify(attempt, result.getFailure());
            if (attempt.begun && !attempt.discarded) {
                // Part of an answer has been taken: it cannot be replaced by another backend's.
                failure = Failure.RESET;
                if (exchange.response().isCommitted()) {
                    super.onComplete(result);
                    return;
                }
                fail(exchange, isTimeout(result.getFailure()) ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_ERROR);
                return;
            }
            afterFailure(exchange, failure, result);
        }
    }
}
