package io.breakwater.proxy;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * A real Jetty backend on 127.0.0.1 whose behaviour each request chooses by query parameter, and which counts
 * what reached it. Parameters: {@code status=N}; {@code delayMs=N} (waits on a latch, never released early);
 * {@code failFirst=N&key=K} closes the connection for the first N requests of key K; {@code hold=true} waits until
 * {@link #release()}; {@code bodyBytes=N} pads the body to N bytes; {@code streamMb=N} writes an N MiB body piece
 * by piece. Every answer names the backend in {@code X-Backend}. {@code /health} answers 200, or 503
 * after {@link #healthy(boolean) healthy(false)}, and none after {@link #freezeHealth()}. It can be killed,
 * restarted on its port, and frozen (accepts, never answers). Thread-safe.
 */
final class ScriptedBackend implements AutoCloseable {
    /** One request as the backend saw it. */
    record Received(String method, String target, HttpFields headers, int bodyLength) {
    }

    private final String name;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    /** Shared by all backends, so that "the first N attempts of a key" counts attempts wherever they went. */
    private static final Map<String, AtomicInteger> BY_KEY = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger inHandler = new AtomicInteger();
    private volatile boolean healthy = true;
    private final AtomicInteger healthChecks = new AtomicInteger();
    private volatile CountDownLatch healthFrozen = new CountDownLatch(0);
    private volatile int forcedStatus;
    private volatile boolean breaking;
    private volatile CountDownLatch frozen = new CountDownLatch(0);
    private volatile CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch never = new CountDownLatch(1);
    private volatile Server server;
    private int port;

    private ScriptedBackend(String name) {
        this.name = name;
    }

    static ScriptedBackend start(String name) throws Exception {
        ScriptedBackend backend = new ScriptedBackend(name);
        backend.startOn(0);
        return backend;
    }

    private void startOn(int wanted) throws Exception {
        Server next = new Server();
        ServerConnector connector = new ServerConnector(next);
        connector.setHost("127.0.0.1");
        connector.setPort(wanted);
        next.addConnector(connector);
        next.setHandler(new Behaviour());
        next.start();
        port = connector.getLocalPort();
        server = next;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    /** Requests that reached the backend, health checks left out. */
    int requests() {
        return requests.get();
    }

    CopyOnWriteArrayList<Received> received() {
        return received;
    }

    /** Requests being handled right now. */
    int inHandler() {
        return inHandler.get();
    }

    /** Answers every request with this status from now on (0: as the request says). */
    void answerAll(int status) {
        forcedStatus = status;
    }

    /** Closes the connection of every request from now on (after a hold) instead of answering it. */
    void breakAll() {
        breaking = true;
    }

    void healthy(boolean value) {
        healthy = value;
    }

    /** Health checks that reached the backend, answered or not. */
    int healthChecks() {
        return healthChecks.get();
    }

    /** Leaves every health check unanswered from now on, while other requests are answered as before. */
    void freezeHealth() {
        healthFrozen = new CountDownLatch(1);
    }

    /** Stops the server: connections are refused from now on. */
    void kill() throws Exception {
        server.stop();
    }

    /** Starts again on the same port. */
    void restart() throws Exception {
        startOn(port);
    }

    /** Accepts connections and requests and answers none of them, health checks included, until {@link #thaw()}. */
    void freeze() {
        frozen = new CountDownLatch(1);
    }

    void thaw() {
        frozen.countDown();
    }

    /** How many answers this backend has written to the end. */
    int answered() {
        return answered.get();
    }

    /** Lets go the requests sent with {@code hold=true}. */
    void release() {
        held.countDown();
    }

    @Override
    public void close() {
        thaw();
        healthFrozen.countDown();
        release();
        never.countDown();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("backend did not stop", e);
        }
    }

    private final class Behaviour extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            frozen.await(30, TimeUnit.SECONDS);
            if (Request.getPathInContext(request).equals("/health")) {
                healthChecks.incrementAndGet();
                healthFrozen.await(30, TimeUnit.SECONDS);
                response.setStatus(healthy ? 200 : 503);
                response.getHeaders().put("X-Backend", name);
                Content.Sink.write(response, true, name, callback);
                return true;
            }
            inHandler.incrementAndGet();
            try {
                return answer(request, response, callback);
            } finally {
                inHandler.decrementAndGet();
            }
        }

        private boolean answer(Request request, Response response, Callback callback) throws Exception {
            requests.incrementAndGet();
            String body = Content.Source.asString(request);
            received.add(new Received(request.getMethod(), request.getHttpURI().getPathQuery(),
                    HttpFields.build(request.getHeaders()).asImmutable(), body.length()));
            Fields query = Request.extractQueryParameters(request);
            String failFirst = query.getValue("failFirst");
            if (failFirst != null) {
                String key = query.getValue("key");
                int seen = BY_KEY.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                if (seen <= Integer.parseInt(failFirst)) {
                    request.getConnectionMetaData().getConnection().getEndPoint().close();
                    callback.failed(new IOException("connection closed by the script"));
                    return true;
                }
            }
            String breakBody = query.getValue("breakBody");
            if (breakBody != null) {
                // headers and part of the body, then the connection breaks: as when the backend dies mid-answer
                String key = query.getValue("key");
                int seen = BY_KEY.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                if (seen <= Integer.parseInt(breakBody)) {
                    response.setStatus(200);
                    response.getHeaders().put("X-Backend", name);
                    response.getHeaders().put("Content-Length", 100);
                    response.write(false, java.nio.ByteBuffer.wrap("partial".getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII)), Callback.from(() -> {
                                request.getConnectionMetaData().getConnection().getEndPoint().close();
                                callback.failed(new IOException("connection broken by the script"));
                            }, callback::failed));
                    return true;
                }
            }
            String delay = query.getValue("delayMs");
            if (delay != null) {
                never.await(Long.parseLong(delay), TimeUnit.MILLISECONDS);
            }
            if ("true".equals(query.getValue("hold"))) {
                held.await(30, TimeUnit.SECONDS);
            }
            if (breaking) {
                request.getConnectionMetaData().getConnection().getEndPoint().close();
                callback.failed(new IOException("connection closed by the script"));
                return true;
            }
            String streamMb = query.getValue("streamMb");
            if (streamMb != null) {
                // a long answer written piece by piece, as a download is: no buffer on the way holds all of it
                long length = Long.parseLong(streamMb) << 20;
                response.setStatus(200);
                response.getHeaders().put("X-Backend", name);
                response.getHeaders().put("Content-Length", length);
                byte[] piece = new byte[64 * 1024];
                java.util.Arrays.fill(piece, (byte) 'x');
                try (java.io.OutputStream out = Content.Sink.asOutputStream(response)) {
                    for (long sent = 0; sent < length; sent += piece.length) {
                        out.write(piece);
                    }
                }
                answered.incrementAndGet();
                callback.succeeded();
                return true;
            }
            String status = query.getValue("status");
            int forced = forcedStatus;
            response.setStatus(forced != 0 ? forced : status == null ? 200 : Integer.parseInt(status));
            response.getHeaders().put("X-Backend", name);
            response.getHeaders().put("X-Body-Length", body.length());
            String bodyBytes = query.getValue("bodyBytes");
            String content = bodyBytes == null ? name : name + ".".repeat(Integer.parseInt(bodyBytes) - name.length());
            Content.Sink.write(response, true, content, Callback.from(() -> {
                answered.incrementAndGet();
                callback.succeeded();
            }, callback::failed));
            return true;
        }
    }
}
