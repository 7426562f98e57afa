package io.breakwater.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketClose;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketError;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketMessage;
import org.eclipse.jetty.websocket.api.annotations.OnWebSocketOpen;
import org.eclipse.jetty.websocket.api.annotations.WebSocket;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A real WebSocket echo backend (Jetty's WebSocket server) on 127.0.0.1: {@code /echo} echoes each text and binary
 * message, prefixed by nothing; any other path answers a plain {@code 403} naming the backend, and says in
 * {@code X-Saw-Upgrade} which {@code Upgrade} header it got. Counts the sessions it opened and closed. Public for
 * the integration tests, which run it behind the sample in each container. Thread-safe.
 */
public final class EchoBackend implements AutoCloseable {
    final String name;
    private final Server server;
    public final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closedSessions = new AtomicInteger();
    public final CountDownLatch sessionClosed = new CountDownLatch(1);
    /** The handshake headers of the last session, as the backend got them. */
    final Map<String, String> handshake = new ConcurrentHashMap<>();

    private EchoBackend(String name) throws Exception {
        this.name = name;
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(32 * 1024 * 1024);
            container.setMaxBinaryMessageSize(32 * 1024 * 1024);
            container.addMapping("/echo", (request, response, callback) -> {
                request.getHeaders().forEach(field -> handshake.put(field.getName(), field.getValue()));
                return new Echo();
            });
        });
        upgrades.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
                response.setStatus(403);
                response.getHeaders().put("X-Saw-Upgrade", upgrade == null ? "none" : upgrade);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.write(true, ByteBuffer.wrap(("no websocket at " + name).getBytes(StandardCharsets.UTF_8)),
                        callback);
                return true;
            }
        });
        server.setHandler(upgrades);
        server.start();
    }

    public static EchoBackend start(String name) throws Exception {
        return new EchoBackend(name);
    }

    public String url() {
        return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** Echoes what it gets. */
    @WebSocket
    public final class Echo {
        private Session session;

        @OnWebSocketOpen
        public void open(Session opened) {
            this.session = opened;
            EchoBackend.this.opened.incrementAndGet();
        }

        @OnWebSocketMessage
        public void text(String message) {
            session.sendText(message, org.eclipse.jetty.websocket.api.Callback.NOOP);
        }

        @OnWebSocketMessage
        public void binary(ByteBuffer message, org.eclipse.jetty.websocket.api.Callback callback) {
            session.sendBinary(message, callback);
        }

        @OnWebSocketError
        public void error(Throwable failure) {
            // the other side went away: the close that follows counts it
        }

        @OnWebSocketClose
        public void close(int status, String reason) {
            closedSessions.incrementAndGet();
            sessionClosed.countDown();
        }
    }

    /** Stops the server: its sessions close (for a test that stops it inside its try-with-resources). */
    public void stop() {
        close();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
