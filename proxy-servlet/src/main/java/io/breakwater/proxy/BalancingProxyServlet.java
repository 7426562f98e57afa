package io.breakwater.proxy;

import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.ErrorResponse;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.health.Drain;
import io.breakwater.core.health.Readiness;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.Jmx;
import io.breakwater.core.servlet.AsyncCompletion;
import io.breakwater.core.servlet.SelfLimiting;
import io.breakwater.core.time.TimeoutScheduler;
import io.breakwater.proxy.FailoverPolicy.Failure;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendPool;
import io.breakwater.proxy.balance.BalanceStrategy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.ObjectName;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.BufferUtil;
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
    /**
     * The largest body of a failover answer kept for the client while a try beside it may still answer (a
     * backend's error page; a longer one is dropped as before).
     */
    static final int KEPT_ANSWER_LIMIT = 64 * 1024;

    private final transient Clock clock;
    private transient ProxyConfig config;
    private transient BackendPool pool;
    private transient BalanceStrategy strategy;
    private transient FailoverPolicy failover;
    private transient RetryBudget retryBudget;
    private transient FaultAttribution attribution;
    private transient ForwardedHeaders forwarded;
    private transient ProxyMetrics metrics;
    private transient HealthChecker healthChecker;
    private transient TimeoutScheduler timers;
    private transient ConnectionWait connectionWait;
    private transient Hedging hedging;
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
        pool = new BackendPool(config.backends, clock, ejection, config.slowStart, metrics::added, metrics::removed);
        strategy = BalanceStrategy.named(config.strategy, pool);
        retryBudget = new RetryBudget(config.retryBudget, metrics.retriesOverBudget());
        failover = new FailoverPolicy(config.maxAttempts, config.retryNonIdempotent, pool, retryBudget);
        attribution = new FaultAttribution(config.failoverStatuses);
        forwarded = new ForwardedHeaders(config.trustedProxies);
        poolMBean = Jmx.register(pool, Jmx.name(getServletContext(), "BackendPool", name));
        if (config.healthChecks()) {
            healthChecker = new HealthChecker(pool, config, name);
            healthChecker.start();
        }
        if (!config.connectionWait.isZero() || !config.hedgeAfter.isZero()) {
            timers = new TimeoutScheduler("proxy-" + name);
        }
        connectionWait = new ConnectionWait(config.connectionWait, timers);
        hedging = new Hedging(config.hedgeAfter, config.hedgeBudget, timers, pool);
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

    /** Requests holding a place in the retry budget now, for tests. */
    int retryingNow() {
        return retryBudget.retrying();
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
    protected void onServerResponseHeaders(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
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
        if (request.getContentLengthLong() > config.maxBodySize) {
            ErrorResponse.send(request, response, ErrorCode.PAYLOAD_TOO_LARGE);
            return;
        }
        if (!hasContent(request)) {
            proceed(request, response, requestId, null, null);
            return;
        }
        // The body is read without holding a thread while the client is slow; the proxy request carries its own
        // timeout, so the servlet's async cycle must not end first.
        request.startAsync().setTimeout(0);
        new ClientBody(request, config.replayBufferSize, config.maxBodySize, config.bodyReadTimeout,
                getHttpClient().getScheduler(), new ClientBody.Sink() {
                    @Override
                    public Exchange ready(byte[] bytes, Request.Content streamed) {
                        return proceed(request, response, requestId, bytes, streamed);
                    }

                    @Override
                    public void failed(ClientFault fault, Exchange exchange) {
                        metrics.clientFault(fault);
                        if (exchange == null) {
                            ErrorAnswers.answerFault(request, response, fault);
                        } else {
                            exchange.clientFault(fault); // its try fails next, and is answered for the fault
                        }
                    }
                }).start();
    }

    /**
     * With the body whole ({@code bytes}) or streaming ({@code streamed}), or none: the first try. Returns the
     * exchange, or {@code null} when the request was answered without one.
     */
    private Exchange proceed(HttpServletRequest request, HttpServletResponse response, String requestId,
            byte[] bytes, Request.Content streamed) {
        Exchange exchange = new Exchange(request, response, requestId, forwarded.clientAddress(request), bytes,
                streamed);
        Backend backend = choose(exchange);
        if (backend == null) {
            ErrorAnswers.answer(request, response, ErrorCode.NO_HEALTHY_BACKENDS,
                    Map.of("Retry-After", retryAfter()));
            return null;
        }
        if (!request.isAsyncStarted()) {
            request.startAsync().setTimeout(0);
        }
        retryBudget.started();
        request.getAsyncContext().addListener(AsyncCompletion.once(() -> retryBudget.ended(exchange)));
        attempt(exchange, backend);
        return exchange;
    }

    private Backend choose(Exchange exchange) {
        List<Backend> candidates = pool.candidates(exchange.tried());
        return candidates.isEmpty() ? null : strategy.choose(candidates, exchange.hashKey(config.hashKey));
    }

    private String retryAfter() {
        long seconds = config.healthChecks() ? config.healthCheckInterval.toSeconds() : config.ejectionTime.toSeconds();
        return Long.toString(Math.max(1, seconds));
    }

    /** Sends the first try, or the next after a failed one; its answer comes to an {@link AttemptListener}. */
    private void attempt(Exchange exchange, Backend backend) {
        Duration budget = exchange.budget(config.tryTimeout);
        if (budget.isZero()) {
            fail(exchange, ErrorCode.BACKEND_TIMEOUT);
            return;
        }
        Exchange.Attempt attempt = exchange.begin(backend, budget, false);
        if (exchange.attempts() > 1) {
            metrics.retry();
        }
        send(exchange, attempt, newTry(exchange, attempt));
    }

    /**
     * Backs up a try that has had no answer for {@code hedgeAfter} with a try on another backend; the first answer
     * to begin wins. When the hedge budget is spent, asks again {@code hedgeAfter} later. Runs on the timer's
     * thread, and reads the client's request under the exchange's monitor, so that a winning answer cannot
     * complete the request meanwhile.
     */
    private void hedge(Exchange exchange, Exchange.Attempt slow) {
        Prepared hedge;
        synchronized (exchange) {
            Duration budget = exchange.budget(config.tryTimeout);
            if (slow.begun || slow.ended || !exchange.mayHedge() || exchange.attempts() >= config.maxAttempts
                    || budget.isZero()) {
                return;
            }
            if (!Hedging.promising(slow, pool.candidates(exchange.tried()))) {
                // every other backend answers about as slowly: the proxy or all backends are loaded; ask later
                hedging.arm(slow, () -> hedge(exchange, slow));
                return;
            }
            if (!hedging.acquire()) {
                metrics.hedgeOverBudget();
                hedging.arm(slow, () -> hedge(exchange, slow));
                return;
            }
            // chosen only with a place in the budget: a refused hedge leaves the balancer's rotation alone; one
            // that is not sent gives its place back
            try {
                hedge = prepareBeside(exchange, budget, true);
            } catch (RuntimeException e) {
                hedging.release();
                throw e;
            }
            if (hedge == null) {
                hedging.release();
                return;
            }
        }
        metrics.hedge();
        send(exchange, hedge.attempt, hedge.request);
    }

    /**
     * After a winning answer broke with other tries still in flight, none of them answering yet: one more try beside
     * them, when a retry is allowed; the first answer to begin wins, as with a hedge. Reads the client's request
     * under the exchange's monitor, as {@link #hedge} does.
     */
    private void tryBeside(Exchange exchange) {
        Prepared next;
        synchronized (exchange) {
            Duration budget = exchange.budget(config.tryTimeout);
            if (exchange.won() || budget.isZero() || !failover.mayRetry(exchange, Failure.RESET)) {
                return;
            }
            next = prepareBeside(exchange, budget, false);
        }
        if (next != null) {
            metrics.retry();
            send(exchange, next.attempt, next.request);
        }
    }

    /** A try beside those in flight, built but not sent yet. */
    private record Prepared(Exchange.Attempt attempt, Request request) {
    }

    /**
     * Under the exchange's monitor: a try on a chosen backend beside those in flight, or {@code null} when no backend
     * is left. A try that cannot be built is ended, never sent: the tries in flight still answer.
     */
    private Prepared prepareBeside(Exchange exchange, Duration budget, boolean hedge) {
        Backend backend = choose(exchange);
        if (backend == null) {
            return null;
        }
        Exchange.Attempt attempt = exchange.begin(backend, budget, hedge);
        try {
            return new Prepared(attempt, newTry(exchange, attempt));
        } catch (RuntimeException e) {
            exchange.end(attempt);
            throw e;
        }
    }

    private void send(Exchange exchange, Exchange.Attempt attempt, Request proxyRequest) {
        attempt.backend.begin();
        if (!attempt.hedge && hedgeable(exchange)) {
            hedging.arm(attempt, () -> hedge(exchange, attempt));
        }
        proxyRequest.send(new AttemptListener(exchange, attempt));
    }

    /**
     * A request whose second copy could not do harm: idempotent, with a replayable body. {@code retryNonIdempotent}
     * does not widen it: a retry follows a failed try, but a hedge runs beside one that may still succeed.
     */
    private boolean hedgeable(Exchange exchange) {
        return hedging.enabled() && exchange.isReplayable()
                && FailoverPolicy.isIdempotent(exchange.request().getMethod());
    }

    /** One try's request to the chosen backend, with its headers, body and timeout. */
    private Request newTry(Exchange exchange, Exchange.Attempt attempt) {
        HttpServletRequest request = exchange.request();
        Request proxyRequest = newProxyRequest(request, target(attempt.backend, request));
        copyRequestHeaders(request, proxyRequest);
        addProxyHeaders(request, proxyRequest);
        Map<String, String> extra = config.requestHeaders.resolve(exchange.clientAddress(), exchange.requestId());
        proxyRequest.headers(headers -> {
            if (!headers.contains(HttpHeader.HOST)) {
                // What Jetty's client would send, from the target's authority; without it the client builds the
                // target's URI anew to find it, parsing it twice per request (BENCHMARKS.md)
                headers.put(HttpHeader.HOST, attempt.backend.hostPort());
            }
            // The body is complete or streamed already; the backend need not ask for it.
            headers.remove(HttpHeader.EXPECT);
            headers.put(RequestIds.HEADER, exchange.requestId());
            headers.put(DEADLINE_HEADER, Long.toString(attempt.budget.toMillis()));
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
            proxyRequest.onRequestSuccess(sent -> attempt.answerTimer = getHttpClient().getScheduler().schedule(
                    () -> proxyRequest.abort(new TimeoutException("no answer in " + attempt.budget.toMillis()
                            + " ms after the body")), attempt.budget.toMillis(), TimeUnit.MILLISECONDS));
        }
        // Begin comes before any byte is written, on the sending thread: a try that never began never reached
        // the backend. (Commit is no such proof: its notice can race with the failure of a closed connection.)
        proxyRequest.onRequestBegin(begun -> attempt.connected = true);
        connectionWait.limit(proxyRequest, attempt);
        return proxyRequest;
    }

    private static String contentType(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null ? type : "application/octet-stream";
    }

    /** The chosen backend and the client's path and query: neither the target's host nor Host can change it. */
    private static String target(Backend backend, HttpServletRequest request) {
        StringBuilder target = new StringBuilder(backend.key()).append(request.getRequestURI());
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

    /** After the last try in flight failed with no answer accepted: the next backend, or the failure's answer. */
    private void afterFailure(Exchange exchange, Exchange.Attempt attempt, Failure failure, Result result) {
        // A dropped answer is gone: the next try is taken whenever one is left, as when it was dropped.
        boolean retry = attempt.discarded ? exchange.attempts() < config.maxAttempts
                : failover.mayRetry(exchange, failure);
        if (retry) {
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
        Exchange.KeptAnswer kept = exchange.kept();
        if (kept != null) {
            answerWith(exchange, kept);
            return;
        }
        if (ConnectionWait.refused(attempt, result.getFailure())) {
            Refusal.mark(exchange.request()); // no backend saw it: not the route's failure for a breaker
        }
        fail(exchange, failure == Failure.TIMEOUT || FailoverPolicy.isTimeout(result.getFailure())
                ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_ERROR);
    }

    /** Passes a kept answer to the client as it came, as a winning answer is. */
    private void answerWith(Exchange exchange, Exchange.KeptAnswer kept) {
        HttpServletRequest request = exchange.request();
        HttpServletResponse response = exchange.response();
        try {
            response.setStatus(kept.response().getStatus());
            onServerResponseHeaders(request, response, kept.response());
            response.setHeader(RequestIds.HEADER, exchange.requestId());
            response.getOutputStream().write(kept.body());
        } catch (IOException | RuntimeException e) {
            onProxyResponseFailure(request, response, kept.response(), e);
            return;
        }
        onProxyResponseSuccess(request, response, kept.response());
    }

    /** Runs work that may block on a pool thread, off the client's network thread (see {@link #newHttpClient()}). */
    private void offload(Runnable work) {
        try {
            getHttpClient().getExecutor().execute(work);
        } catch (RejectedExecutionException stopping) {
            work.run();
        }
    }

    private void fail(Exchange exchange, ErrorCode error) {
        ErrorAnswers.answer(exchange.request(), exchange.response(), error, Map.of());
    }

    /**
     * Receives one try's answer: drops it for a try elsewhere when its status calls for failover and another try
     * is allowed or in flight, drops it when another try's answer won the race, else passes it to the client as
     * Jetty's listener does. An answer dropped only for a try in flight beside it, with no further try allowed, is
     * read and kept (up to {@link #KEPT_ANSWER_LIMIT}), so that the client gets it if that try fails.
     */
    private final class AttemptListener extends ProxyResponseListener {
        private final Exchange exchange;
        private final Exchange.Attempt attempt;
        /** The body of a dropped answer being kept; {@code null} when it is not. Jetty calls one at a time. */
        private ByteArrayOutputStream keeping;
        /** Whether part of this answer's body went to {@link #pass} already. */
        private boolean passing;

        AttemptListener(Exchange exchange, Exchange.Attempt attempt) {
            super(exchange.request(), exchange.response());
            this.exchange = exchange;
            this.attempt = attempt;
        }

        @Override
        public void onBegin(Response serverResponse) {
            attempt.begun = true;
            attempt.cancelHedge();
            if (exchange.lostTo(attempt)) {
                attempt.lost = true;
                return;
            }
            if (serverResponse.getStatus() == 101) {
                // The proxy never asks to upgrade (Upgrade is hop-by-hop and not passed on): a switch it did not
                // ask for is a broken backend, and passed on it would leave the client's connection in two minds.
                serverResponse.abort(new FailoverPolicy.UnrequestedUpgrade());
                return;
            }
            if (config.failoverStatuses.holds(serverResponse.getStatus())) {
                boolean retry = failover.mayRetry(exchange, Failure.STATUS);
                if (exchange.discard(attempt, retry)) {
                    keeping = retry ? null : new ByteArrayOutputStream();
                    return;
                }
            }
            if (!exchange.win(attempt)) {
                attempt.lost = true;
                return;
            }
            if (attempt.hedge) {
                metrics.hedgeWon();
            }
            super.onBegin(serverResponse);
        }

        @Override
        public void onHeaders(Response serverResponse) {
            if (attempt.discarded) {
                if (keeping == null || serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)
                        > KEPT_ANSWER_LIMIT) {
                    drop(serverResponse);
                }
                return;
            }
            if (attempt.lost) {
                return;
            }
            super.onHeaders(serverResponse);
            exchange.response().setHeader(RequestIds.HEADER, exchange.requestId());
        }

        @Override
        public void onContent(Response serverResponse, Content.Chunk chunk, Runnable demander) {
            if (attempt.lost) {
                // Read to its end and dropped, so that the connection stays usable.
                demander.run();
            } else if (!attempt.discarded) {
                pass(serverResponse, chunk, demander);
            } else if (keeping != null && keeping.size() + chunk.remaining() <= KEPT_ANSWER_LIMIT) {
                keeping.writeBytes(BufferUtil.toArray(chunk.getByteBuffer()));
                demander.run();
            } else if (keeping != null) {
                drop(serverResponse);
            }
        }

        /**
         * Passes part of the winning answer to the client. A whole answer read at once is sent here, on the client's
         * network thread, without blocking; anything else is written by a pool thread, as Jetty's listener would be,
         * since a write can block on a client that reads slowly. The next part is asked for once this one is out.
         */
        private void pass(Response serverResponse, Content.Chunk chunk, Runnable demander) {
            boolean first = !passing;
            passing = true;
            chunk.retain();
            Callback sent = Callback.from(chunk::release, Callback.from(demander, failure -> clientGone(serverResponse,
                    failure)));
            if (first && chunk.remaining() == serverResponse.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)) {
                try {
                    if (AnswerPassing.sendWhole(exchange.response().getOutputStream(), chunk.getByteBuffer(), sent)) {
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    sent.failed(e);
                    return;
                }
            }
            offload(() -> {
                ByteBuffer bytes = chunk.getByteBuffer();
                byte[] copy = bytes.hasArray() ? null : BufferUtil.toArray(bytes);
                onResponseContent(exchange.request(), exchange.response(), serverResponse,
                        copy != null ? copy : bytes.array(), copy != null ? 0 : bytes.arrayOffset() + bytes.position(),
                        bytes.remaining(), sent);
            });
        }

        /** Writing the answer to the client failed: the client went away, which is no fault of the backend's. */
        private void clientGone(Response serverResponse, Throwable failure) {
            if (exchange.clientFault(ClientFault.GONE)) {
                metrics.clientFault(ClientFault.GONE);
            }
            serverResponse.abort(failure);
        }

        /** Gives up a dropped answer: its connection is closed rather than read to the end. */
        private void drop(Response serverResponse) {
            keeping = null;
            serverResponse.abort(new FailoverPolicy.FailoverStatus());
        }

        /**
         * Ends the try. A failed one, or one whose status calls for failover, may lead to an error body or a kept
         * answer being written: that is a pool thread's work, off the client's network thread.
         */
        @Override
        public void onComplete(Result result) {
            boolean backendFailed = result.isFailed()
                    || config.failoverStatuses.holds(result.getResponse().getStatus());
            if (backendFailed) {
                offload(() -> end(result));
            } else {
                end(result);
            }
        }

        private void end(Result result) {
            attempt.ended = true;
            attempt.cancelHedge();
            attempt.cancelAnswerTimer();
            Backend backend = attempt.backend;
            long nanos = System.nanoTime() - attempt.startNanos;
            backend.end();
            metrics.latency(backend, nanos);
            if (attempt.hedge) {
                hedging.release();
            }
            if (keeping != null && result.isSucceeded()) {
                exchange.keep(new Exchange.KeptAnswer(result.getResponse(), keeping.toByteArray()));
            }
            FaultAttribution.Party blamed = attribution.blame(exchange, result);
            switch (blamed) {
                case BACKEND -> {
                    if (!ConnectionWait.refused(attempt, result.getFailure())) {
                        pool.failed(backend);
                    } // else a try that never got a connection failed in the proxy's own queue, not at the backend
                }
                case NONE -> backend.succeeded(nanos);
                case CLIENT -> {
                    // neither: the backend did nothing wrong, nor was it shown to be well
                }
            }
            ClientFault clientFault = exchange.clientFault();
            switch (exchange.end(attempt)) {
                case LOST, OTHERS_PENDING -> {
                    // the client's answer is another try's
                }
                case WON -> {
                    if (blamed == FaultAttribution.Party.CLIENT && !result.isSucceeded()
                            && !exchange.response().isCommitted()) {
                        ErrorAnswers.answerFault(exchange.request(), exchange.response(), clientFault);
                    } else if (result.isSucceeded()) {
                        if (exchange.failedOver()) {
                            metrics.failover();
                        }
                        super.onComplete(result);
                    } else if (exchange.response().isCommitted()) {
                        // Part of the answer is with the client: it cannot be replaced by another backend's.
                        super.onComplete(result);
                    } else {
                        // The answer broke while still in the response's buffer: dropped (before the win is given
                        // up, so that no other try's answer is under way yet), another try answers if it can.
                        exchange.response().reset();
                        switch (exchange.reopen(attempt)) {
                            case ALONE -> afterFailure(exchange, attempt, Failure.RESET, result);
                            case OTHERS_PENDING -> tryBeside(exchange);
                            case REFUSED -> fail(exchange, FailoverPolicy.isTimeout(result.getFailure())
                                    ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_ERROR);
                        }
                    }
                }
                case LAST -> {
                    if (blamed == FaultAttribution.Party.CLIENT) {
                        // no other try: the client's request is spoiled, or nobody is left to answer
                        ErrorAnswers.answerFault(exchange.request(), exchange.response(), clientFault);
                    } else {
                        afterFailure(exchange, attempt, FailoverPolicy.classify(attempt, result.getFailure()),
                                result);
                    }
                }
            }
        }
    }
}
