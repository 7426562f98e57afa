package io.breakwater.proxy;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.health.Readiness;
import io.breakwater.core.health.internal.Drain;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.servlet.SelfLimiting;
import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import io.breakwater.proxy.balance.internal.BackendPool;
import io.breakwater.proxy.internal.AnswerPassing;
import io.breakwater.proxy.internal.BackendOrigins;
import io.breakwater.proxy.internal.ClientBody;
import io.breakwater.proxy.internal.ClientFault;
import io.breakwater.proxy.internal.ConnectionWait;
import io.breakwater.proxy.internal.ContainerError;
import io.breakwater.proxy.internal.ErrorAnswers;
import io.breakwater.proxy.internal.Exchange;
import io.breakwater.proxy.internal.FailoverPolicy;
import io.breakwater.proxy.internal.ForwardedHeaders;
import io.breakwater.proxy.internal.ForwardedTarget;
import io.breakwater.proxy.internal.HealthChecker;
import io.breakwater.proxy.internal.Hedging;
import io.breakwater.proxy.internal.InterimAnswers;
import io.breakwater.proxy.internal.ProxyConfig;
import io.breakwater.proxy.internal.ProxyMetrics;
import io.breakwater.proxy.internal.ProxyThreads;
import io.breakwater.proxy.internal.ResponseHeaders;
import io.breakwater.proxy.internal.RetryBudget;
import io.breakwater.proxy.internal.Tries;
import io.breakwater.proxy.internal.TryRequests;
import io.breakwater.proxy.internal.TryRules;
import io.breakwater.proxy.internal.Tunnels;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.management.ObjectName;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A reverse proxy servlet that balances requests over configured backends and fails over when one dies, freezes
 * or answers with a failover status, on Jetty's asynchronous {@link ProxyServlet}. A request body up to
 * {@code replayBufferSize} is buffered so that it can be sent again; a larger one is streamed and not retried.
 * Nothing is written to the client before a backend's answer is accepted, so a failover never mixes two answers.
 * It bounds its own work in flight (connections and queues per backend, {@code connectionWait}), so the concurrency
 * limit leaves it alone ({@link SelfLimiting}). Thread-safe.
 */
public class BalancingProxyServlet extends ProxyServlet implements SelfLimiting {
    private static final long serialVersionUID = 1L;
    /** Tells the backend how long the proxy will wait for this try, so that it can give up too. */
    public static final String DEADLINE_HEADER = "X-Request-Deadline-Ms";
    private static final ResponseHeaders.HopByHop HOP_BY_HOP = new ResponseHeaders.HopByHop(HOP_HEADERS);

    private final transient Clock clock;
    private transient ProxyConfig config;
    private transient BackendPool pool;
    private transient RetryBudget retryBudget;
    private transient TryRules rules;
    private transient Tries tries;
    private transient ForwardedHeaders forwarded;
    private transient ProxyMetrics metrics;
    private transient HealthChecker healthChecker;
    private transient TimeoutScheduler timers;
    private transient Hedging hedging;
    private transient ObjectName poolMBean;
    private transient Tunnels tunnels;

    public BalancingProxyServlet() {
        this(Clock.systemUTC());
    }

    /** With the clock that times passive ejections (tests move it). */
    public BalancingProxyServlet(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws ServletException {
        config = ConfigReader.read(getServletConfig(), ProxyConfig::new);
        super.init();
        String name = getServletName();
        com.codahale.metrics.MetricRegistry registry = BreakwaterMetrics.acquire(getServletContext());
        metrics = new ProxyMetrics(registry, getServletContext(), name);
        BackendPool.Ejection ejection = new BackendPool.Ejection(config.ejectAfterFailures, config.ejectionTime,
                config.maxEjectionTime, config.maxEjectedPercent);
        pool = new BackendPool(config.backends, clock, ejection, config.slowStart, metrics::added, backend -> {
            metrics.removed(backend);
            tunnels.removed(backend);
        });
        retryBudget = new RetryBudget(config.retryBudget, config.retryBudgetMinPerSecond, clock,
                metrics.retriesOverBudget());
        forwarded = new ForwardedHeaders(config.trustedProxies);
        poolMBean = Jmx.register(pool, Jmx.name(getServletContext(), "BackendPool", name));
        if (config.healthChecks()) {
            healthChecker = new HealthChecker(pool, config, name);
            healthChecker.start();
        }
        timers = new TimeoutScheduler("proxy-" + name);
        hedging = new Hedging(config.hedgeAfter, config.hedgeBudget, timers, pool);
        BalanceStrategy strategy = BalanceStrategy.named(config.strategy, pool);
        rules = new TryRules(pool, strategy,
                new FailoverPolicy(config.maxAttempts, config.retryNonIdempotent, pool, retryBudget), hedging,
                config.failoverStatuses, config.tryTimeout, config.maxAttempts, config.hashKey);
        TryRequests requests = new TryRequests(this, config, new ConnectionWait(config.connectionWait, timers),
                timers);
        tries = new Tries(this, rules, metrics, getHttpClient(), requests);
        tunnels = new Tunnels(this, pool, strategy, config, forwarded, registry);
        Readiness.of(getServletContext()).register(readinessName(), () -> unready(pool, getServletName()));
    }

    private String readinessName() {
        return "proxy " + getServletName();
    }

    /** Not ready while no backend may take a request: each one unhealthy, ejected, draining or disabled. */
    private static Optional<String> unready(BackendPool pool, String servletName) {
        List<Backend> backends = pool.all();
        return backends.stream().anyMatch(Backend::isAvailable) ? Optional.empty() : Optional.of(
                "no usable backend behind proxy \"" + servletName + "\" (" + backends.size() + " configured)");
    }

    @Override
    public void destroy() {
        // Tomcat destroys servlets before filters: the requests in flight need this client until they end
        Drain.holdUntilIdle(getServletContext());
        if (pool != null) {
            Readiness.of(getServletContext()).unregister(readinessName());
        }
        if (tunnels != null) {
            tunnels.stop(); // after the drain: open tunnels had the grace period
        }
        if (healthChecker != null) {
            healthChecker.stop();
        }
        if (timers != null) {
            timers.stop();
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

    /** Retries the budget allows now, for tests. */
    long retriesAvailable() {
        return retryBudget.available();
    }

    /** WebSocket tunnels open now (handshakes under way included), for tests. */
    int tunnelsOpen() {
        return tunnels.openNow();
    }

    /** Hedges in flight now, for tests. */
    int hedgesInFlight() {
        return hedging.inFlight();
    }

    /** The backends, for tests and embedding code; the same object as the {@code BackendPool} MBean. */
    public BackendPool pool() {
        return pool;
    }

    /** Jetty's client, with one selector per core (two to four) unless Jetty's {@code selectors} init-param chooses. */
    @Override
    protected HttpClient newHttpClient() {
        if (getServletConfig().getInitParameter("selectors") != null) {
            return super.newHttpClient();
        }
        ClientConnector connector = newClientConnector();
        connector.setSelectors(AnswerPassing.selectors());
        return newHttpClient(connector);
    }

    /** Jetty's client, passing answers on its network threads: see {@link AnswerPassing}. */
    @Override
    protected HttpClient newHttpClient(ClientConnector connector) {
        return AnswerPassing.newClient(connector, "breakwater-proxy-" + getServletName());
    }

    /** Jetty's work, with less of it: see {@link ResponseHeaders}. */
    @Override
    public void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
            Response serverResponse) {
        ResponseHeaders.copy(serverResponse, proxyResponse, HOP_BY_HOP,
                field -> filterServerResponseHeader(clientRequest, serverResponse, field));
    }

    /** A backend's own origin in {@code Location} or {@code Content-Location} becomes the client's. */
    @Override
    protected HttpField filterServerResponseHeader(HttpServletRequest clientRequest, Response serverResponse,
            HttpField field) {
        return BackendOrigins.rewrite(field, pool.all(), clientRequest);
    }

    /** Jetty's client, on the container's threads on Jetty, else on its own ({@link ProxyThreads}). */
    @Override
    protected HttpClient createHttpClient() throws ServletException {
        HttpClient client = ProxyThreads.create(getServletContext(), getServletName(), super::createHttpClient);
        client.setConnectTimeout(config.connectTimeout.toMillis());
        client.setMaxConnectionsPerDestination(config.maxConnectionsPerBackend);
        client.setMaxRequestsQueuedPerDestination(config.maxQueuedPerBackend);
        client.getProtocolHandlers().put(new InterimAnswers());
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
        if (!ForwardedTarget.forwardable(request)) {
            // Answered before any body is read or backend chosen: the client's fault, no backend's or route's.
            metrics.clientFault(ClientFault.BAD_TARGET);
            ErrorAnswers.answerFault(request, response, ClientFault.BAD_TARGET);
            return;
        }
        if (Tunnels.wanted(request)) {
            tunnels.open(request, response, requestId);
            return;
        }
        if (request.getContentLengthLong() > config.maxBodySize) {
            ErrorResponse.send(request, response, ErrorCode.PAYLOAD_TOO_LARGE);
            return;
        }
        ContainerError containerError = new ContainerError();
        if (!hasContent(request)) {
            proceed(request, response, requestId, null, null, containerError);
            return;
        }
        // The body is read without holding a thread while the client is slow; the proxy request carries its own
        // timeout, so the servlet's async cycle must not end first.
        startAsync(request, containerError);
        new ClientBody(request, config.replayBufferSize, config.maxBodySize, config.bodyReadTimeout,
                getHttpClient().getScheduler(), new ClientBody.Sink() {
                    @Override
                    public Exchange ready(byte[] bytes, Request.Content streamed) {
                        return proceed(request, response, requestId, bytes, streamed, containerError);
                    }

                    @Override
                    public void failed(ClientFault fault, Exchange exchange) {
                        if (exchange != null && exchange.attempts().answered()) {
                            return; // the backend answered before it read the whole body: the rest is moot
                        }
                        metrics.clientFault(fault);
                        if (exchange == null) {
                            ErrorAnswers.answerFault(request, response, fault);
                        } else {
                            exchange.attempts().clientFault(fault); // its try fails next, answered for the fault
                        }
                    }
                }).start();
    }

    /**
     * With the body whole ({@code bytes}) or streaming ({@code streamed}), or none: the first try. Returns the
     * exchange, or {@code null} when the request was answered without one.
     */
    private Exchange proceed(HttpServletRequest request, HttpServletResponse response, String requestId,
            byte[] bytes, Request.Content streamed, ContainerError containerError) {
        Exchange exchange = new Exchange(request, response, requestId, forwarded.clientAddress(request), bytes,
                streamed, rules, containerError);
        Backend backend = exchange.attempts().choose();
        if (backend == null) {
            ErrorAnswers.answer(request, response, ErrorCode.NO_HEALTHY_BACKENDS,
                    Map.of("Retry-After", retryAfter()));
            return null;
        }
        if (!request.isAsyncStarted()) {
            startAsync(request, containerError);
        }
        retryBudget.deposit();
        tries.first(exchange, backend);
        return exchange;
    }

    /**
     * Starts the request's async cycle without the container's timeout (each try carries its own), watched for the
     * container's error, after which the request is the container's to end.
     */
    private static void startAsync(HttpServletRequest request, ContainerError containerError) {
        AsyncContext cycle = request.startAsync();
        cycle.setTimeout(0);
        containerError.watch(cycle);
    }

    private String retryAfter() {
        long seconds = config.healthChecks() ? config.healthCheckInterval.toSeconds() : config.ejectionTime.toSeconds();
        return Long.toString(Math.max(1, seconds));
    }

    /**
     * A try's request to the backend at {@code origin}, with the client's headers and the proxy's own, as Jetty
     * builds it but for its target, which is never read through {@code URI.create}: the caller gives it the path
     * and query the client sent. For the proxy's internal tries; not for users.
     */
    public Request proxyRequest(HttpServletRequest request, URI origin) {
        Request proxyRequest = getHttpClient().newRequest(origin).method(request.getMethod())
                .attribute(CLIENT_REQUEST_ATTRIBUTE, request);
        copyRequestHeaders(request, proxyRequest);
        addProxyHeaders(request, proxyRequest);
        return proxyRequest;
    }

    /** {@code Via}, then the forwarding headers of {@link ForwardedHeaders#add}, in place of Jetty's. */
    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        addViaHeader(clientRequest, proxyRequest);
        forwarded.add(clientRequest, proxyRequest);
    }

    /** Jetty's protected {@code onProxyResponseSuccess}, for the proxy's internal tries; not for users. */
    public void succeeded(HttpServletRequest request, HttpServletResponse response, Response serverResponse) {
        onProxyResponseSuccess(request, response, serverResponse);
    }

    /** Jetty's protected {@code onProxyResponseFailure}, for the proxy's internal tries; not for users. */
    public void failed(HttpServletRequest request, HttpServletResponse response, Response serverResponse,
            Throwable failure) {
        onProxyResponseFailure(request, response, serverResponse, failure);
    }

    /** Jetty's protected {@code onResponseContent}, for the proxy's internal tries; not for users. */
    public void passContent(HttpServletRequest request, HttpServletResponse response, Response serverResponse,
            byte[] bytes, int offset, int length, Callback callback) {
        onResponseContent(request, response, serverResponse, bytes, offset, length, callback);
    }
}
