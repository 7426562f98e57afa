package io.breakwater.proxy.internal;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.health.internal.Drain;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.proxy.BalancingProxyServlet;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import io.breakwater.proxy.balance.internal.BackendPool;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's WebSocket tunnels: a request that asks to upgrade to {@code websocket} goes to a backend the strategy
 * chooses, over a raw connection ({@link TunnelHandshake}); the backend's 101 switches the client's connection through
 * the Servlet API's {@code upgrade}, and a {@link Tunnel} relays the bytes. Before a 101 a backend that fails the
 * handshake fails over to another, as a request's try does; a non-101 answer passes on as it is. A tunnel counts in
 * its backend's in-flight while open, at most {@code maxTunnelsPerBackend} per backend. The request (and so the
 * filters' deadline, breaker and counts) ends with the 101; the tunnel lives on without a thread of its own. The
 * channel group's threads and the idle timer start with the first tunnel. One per servlet; thread-safe.
 */
public final class Tunnels {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnels.class);
    /** The largest body of a backend's non-101 answer to a handshake that is passed on; larger is a failure. */
    static final int MAX_ANSWER_BODY = 1024 * 1024;
    /**
     * Headers of a backend's answer never passed on: those of its own connection, and {@code Server} and
     * {@code Date}, which the container writes itself.
     */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "trailer", "upgrade", "content-length", "proxy-authenticate", "server", "date");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final BalancingProxyServlet servlet;
    private final BackendPool pool;
    private final BalanceStrategy strategy;
    private final ProxyConfig config;
    private final ForwardedHeaders forwarded;
    private final ServletContext context;
    private final String name;
    private final TunnelMetrics metrics;
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private AsynchronousChannelGroup group;
    private TimeoutScheduler timers;
    private volatile boolean stopped;

    public Tunnels(BalancingProxyServlet servlet, BackendPool pool, BalanceStrategy strategy, ProxyConfig config,
            ForwardedHeaders forwarded, MetricRegistry registry) {
        this.servlet = servlet;
        this.pool = pool;
        this.strategy = strategy;
        this.config = config;
        this.forwarded = forwarded;
        this.context = servlet.getServletContext();
        this.name = servlet.getServletName();
        this.metrics = new TunnelMetrics(registry, name);
    }

    /**
     * Whether the request asks for a WebSocket tunnel: a GET over HTTP/1.1 with {@code Upgrade: websocket} and
     * {@code Connection: upgrade}, and no body. Any other upgrade ({@code h2c} among them) is proxied as a plain
     * request, its {@code Upgrade} dropped as the hop-by-hop header it is.
     */
    public static boolean wanted(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod()) || !"HTTP/1.1".equals(request.getProtocol())
                || request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            return false;
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.trim().toLowerCase(Locale.ROOT).startsWith("websocket")) {
            return false;
        }
        for (Enumeration<String> values = request.getHeaders("Connection"); values.hasMoreElements(); ) {
            for (String token : values.nextElement().split(",")) {
                if (token.trim().equalsIgnoreCase("upgrade")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Opens a tunnel for the request, or answers it: the backend's non-101 answer, else 503
     * {@code NO_HEALTHY_BACKENDS} (no backend to try), 503 {@code OVERLOADED} (each usable backend holds its
     * {@code maxTunnelsPerBackend}), 502 {@code BACKEND_ERROR} or 504 {@code BACKEND_TIMEOUT} (every try failed).
     * Returns on the request's thread, which waits for each handshake at most {@code connectTimeout} plus
     * {@code tryTimeout}, within the request's deadline.
     */
    public void open(HttpServletRequest request, HttpServletResponse response, String requestId) throws IOException {
        String clientAddress = forwarded.clientAddress(request);
        String hashKey = Exchange.hashKey(request, config.hashKey, clientAddress);
        Set<Backend> tried = new HashSet<>();
        boolean full = false;
        ErrorCode failure = null;
        for (int tries = 0; tries < config.maxAttempts; ) {
            List<Backend> candidates = new ArrayList<>();
            for (Backend backend : pool.candidates(tried)) {
                // a raw connection speaks no TLS: https backends serve plain requests only
                if ("http".equals(backend.uri().getScheme())) {
                    candidates.add(backend);
                }
            }
            if (candidates.isEmpty()) {
                break;
            }
            Backend backend = strategy.choose(candidates, hashKey);
            tried.add(backend);
            TunnelMetrics.Figures figures = metrics.of(backend);
            if (figures.open().incrementAndGet() > config.maxTunnelsPerBackend) {
                figures.open().decrementAndGet();
                full = true;
                continue;
            }
            tries++;
            backend.begin();
            Outcome outcome = handshake(request, response, requestId, clientAddress, backend, figures,
                    tries < config.maxAttempts);
            if (outcome != Outcome.OPENED) {
                figures.open().decrementAndGet();
                backend.end();
            }
            if (outcome == Outcome.OPENED || outcome == Outcome.ANSWERED) {
                return;
            }
            failure = outcome == Outcome.TIMED_OUT ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_ERROR;
        }
        if (failure != null) {
            ErrorAnswers.answer(request, response, failure, Map.of());
        } else if (full) {
            ErrorAnswers.answer(request, response, ErrorCode.OVERLOADED, Map.of("Retry-After", "1"));
        } else {
            ErrorAnswers.answer(request, response, ErrorCode.NO_HEALTHY_BACKENDS, Map.of("Retry-After", "1"));
        }
    }

    /** What one handshake came to. */
    private enum Outcome {
        /** The backend switched: the tunnel is open. */
        OPENED,
        /** The request is answered: the backend's own answer passed on, or the request was given up. */
        ANSWERED,
        /** The backend failed the handshake; another may be tried. */
        FAILED,
        /** The backend did not answer in time; another may be tried. */
        TIMED_OUT
    }

    private Outcome handshake(HttpServletRequest request, HttpServletResponse response, String requestId,
            String clientAddress, Backend backend, TunnelMetrics.Figures figures, boolean mayFailOver) {
        long start = System.nanoTime();
        long answerDue = start + Math.min(config.connectTimeout.plus(config.tryTimeout).toNanos(),
                Deadline.of(request).map(deadline -> deadline.remaining().toNanos()).orElse(Long.MAX_VALUE));
        TunnelHandshake handshake = null;
        try {
            handshake = TunnelHandshake.connect(group(), backend,
                    Math.min(config.connectTimeout.toNanos(), answerDue - start));
            handshake.send(head(request, backend, requestId, clientAddress), answerDue);
            TunnelHead head = handshake.readHead(answerDue);
            if (head.switches("websocket")) {
                backend.succeeded(System.nanoTime() - start);
                return upgrade(request, response, requestId, backend, figures, handshake, head);
            }
            if (head.status() == 101 || (mayFailOver && config.failoverStatuses.holds(head.status()))) {
                // a switch to what the client never asked for, or a status that says the backend cannot serve
                throw new IOException("backend answered the handshake with " + head.status());
            }
            byte[] body = handshake.readBody(head, MAX_ANSWER_BODY, answerDue);
            backend.succeeded(System.nanoTime() - start);
            handshake.close();
            pass(request, response, head, body);
            return Outcome.ANSWERED;
        } catch (InterruptedException e) {
            // the request's deadline passed (TimeoutFilter answered) or the container stops: no one's fault here
            Thread.currentThread().interrupt();
            close(handshake);
            return Outcome.ANSWERED;
        } catch (TimeoutException | IOException e) {
            LOG.debug("handshake {} with {} failed", requestId, backend, e);
            close(handshake);
            pool.failed(backend);
            return e instanceof TimeoutException ? Outcome.TIMED_OUT : Outcome.FAILED;
        }
    }

    private static void close(TunnelHandshake handshake) {
        if (handshake != null) {
            handshake.close();
        }
    }

    /** The backend switched: the client's connection switches too, and the tunnel opens once the container has. */
    private Outcome upgrade(HttpServletRequest request, HttpServletResponse response, String requestId,
            Backend backend, TunnelMetrics.Figures figures, TunnelHandshake handshake, TunnelHead head) {
        TunnelUpgrade handler;
        try {
            handler = request.upgrade(TunnelUpgrade.class);
        } catch (ServletException | IOException | RuntimeException e) {
            // the response is committed already (a deadline's answer) or the container cannot switch this one
            LOG.debug("request {} could not be upgraded", requestId, e);
            handshake.close();
            return Outcome.ANSWERED;
        }
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        for (Map.Entry<String, String> field : head.fields()) {
            if (!HOP_BY_HOP.contains(field.getKey().toLowerCase(Locale.ROOT))) {
                response.addHeader(field.getKey(), field.getValue());
            }
        }
        response.setHeader("Upgrade", head.value("Upgrade"));
        response.setHeader("Connection", "Upgrade");
        Runnable drained = Drain.begin(context);
        Tunnel tunnel = new Tunnel(handshake.channel(), handshake.afterHead(), figures, timers(),
                config.tunnelIdleTimeout.toNanos(), requestId, TunnelEndPoints.jettyEndPoint(request), closed -> {
                    if (open.remove(closed)) {
                        figures.open().decrementAndGet();
                        backend.end();
                        drained.run();
                    }
                });
        open.add(tunnel);
        figures.opened().inc();
        handler.tunnel(tunnel, request);
        if (stopped) {
            tunnel.close();
        }
        return Outcome.OPENED;
    }

    /** A backend's non-101 answer, passed on as it is, its own origin rewritten to the client's. */
    private void pass(HttpServletRequest request, HttpServletResponse response, TunnelHead head, byte[] body)
            throws IOException {
        response.setStatus(head.status());
        for (Map.Entry<String, String> field : head.fields()) {
            String key = field.getKey();
            if (HOP_BY_HOP.contains(key.toLowerCase(Locale.ROOT))) {
                continue;
            }
            String value = key.equalsIgnoreCase("Location") || key.equalsIgnoreCase("Content-Location")
                    ? BackendOrigins.rewrite(field.getValue(), pool.all(), request) : field.getValue();
            response.addHeader(key, value);
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The handshake's head: the client's headers as a plain try sends them, and the upgrade asked for. */
    private String head(HttpServletRequest request, Backend backend, String requestId, String clientAddress) {
        // the path and query as received, as a plain try carries them (the servlet refused what it cannot forward)
        String target = ForwardedTarget.of(request);
        Request proxyRequest = servlet.proxyRequest(request, backend.uri());
        StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (HttpField field : proxyRequest.getHeaders()) {
            HttpHeader known = field.getHeader();
            if (known == HttpHeader.CONNECTION || known == HttpHeader.UPGRADE
                    || field.is(RequestIds.HEADER) || field.is(BalancingProxyServlet.DEADLINE_HEADER)) {
                continue;
            }
            host |= known == HttpHeader.HOST;
            line(head, field.getName(), field.getValue());
        }
        if (!host) {
            line(head, "Host", backend.hostPort());
        }
        line(head, "Connection", "Upgrade");
        line(head, "Upgrade", request.getHeader("Upgrade"));
        line(head, RequestIds.HEADER, requestId);
        config.requestHeaders.resolve(clientAddress, requestId).forEach((key, value) -> line(head, key, value));
        return head.append("\r\n").toString();
    }

    private static void line(StringBuilder head, String name, String value) {
        head.append(name).append(": ").append(value).append("\r\n");
    }

    /** The channel group and the idle timer, started with the first tunnel. */
    private synchronized AsynchronousChannelGroup group() throws IOException {
        if (stopped) {
            throw new IOException("the proxy is stopping");
        }
        if (group == null) {
            int instance = INSTANCES.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            group = AsynchronousChannelGroup.withFixedThreadPool(AnswerPassing.selectors(), task -> {
                Thread thread = new Thread(task, "breakwater-tunnel-" + name + "-" + instance + "-"
                        + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            timers = new TimeoutScheduler("tunnel-" + name);
        }
        return group;
    }

    private synchronized TimeoutScheduler timers() {
        return timers;
    }

    /** Tunnels open now (and handshakes under way), over every backend. */
    public int openNow() {
        return metrics.openNow();
    }

    /** A backend left the pool: its figures go. */
    public void removed(Backend backend) {
        metrics.removed(backend);
    }

    /** Closes every tunnel, and stops the threads: the proxy stops (after the drain's grace). */
    public void stop() {
        synchronized (this) {
            stopped = true;
        }
        List.copyOf(open).forEach(Tunnel::close);
        synchronized (this) {
            if (group != null) {
                try {
                    group.shutdownNow();
                } catch (IOException e) {
                    LOG.debug("the tunnels' channel group did not close cleanly", e);
                }
                timers.stop();
            }
        }
        metrics.close();
    }
}
