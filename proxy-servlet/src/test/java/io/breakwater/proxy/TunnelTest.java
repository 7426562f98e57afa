package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.health.Readiness;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TunnelTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private BalancingProxyServlet servlet;
    private TestServer proxy;

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private EchoBackend backend(String name) throws Exception {
        EchoBackend backend = EchoBackend.start(name);
        closing.add(backend);
        return backend;
    }

    /** The proxy behind the suite's chain (deadline {@code timeout}) and a DrainFilter, in front of {@code urls}. */
    private void proxy(String timeout, String urls, String... params) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("backends", urls);
        all.put("healthCheckPath", "off");
        all.put("ejectAfterFailures", "100");
        for (int i = 0; i < params.length; i += 2) {
            all.put(params[i], params[i + 1]);
        }
        servlet = new BalancingProxyServlet();
        proxy = TestServer.start(context -> {
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            context.addFilter(new FilterHolder(new io.breakwater.exception.ExceptionHandlingFilter()), "/*",
                    dispatches);
            FilterHolder deadlines = new FilterHolder(new io.breakwater.timeout.TimeoutFilter());
            deadlines.setInitParameter("timeout", timeout);
            context.addFilter(deadlines, "/*", dispatches);
            context.addFilter(new FilterHolder(new io.breakwater.circuit.CircuitBreakerFilter()), "/*", dispatches);
            context.addFilter(new FilterHolder(new io.breakwater.metrics.MetricsFilter()), "/*", dispatches);
            FilterHolder drain = new FilterHolder(new io.breakwater.health.DrainFilter());
            drain.setInitParameter("shutdownGrace", all.getOrDefault("shutdownGrace", "30s"));
            context.addFilter(drain, "/*", EnumSet.of(DispatcherType.REQUEST));
            ServletHolder holder = new ServletHolder("proxy", servlet);
            all.forEach((key, value) -> {
                if (!key.equals("shutdownGrace")) {
                    holder.setInitParameter(key, value);
                }
            });
            holder.setAsyncSupported(true);
            holder.setInitOrder(0);
            context.addServlet(holder, "/*");
        });
        closing.add(proxy);
    }

    private URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + proxy.port() + path);
    }

    private MetricRegistry registry() {
        return (MetricRegistry) proxy.context().getServletContext().getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    private long figure(String name, EchoBackend backend) {
        String key = "proxy.proxy.backend." + backend.url().substring("http://".length()) + "." + name;
        Counter counter = registry().getCounters().get(key);
        if (counter != null) {
            return counter.getCount();
        }
        return ((Number) registry().getGauges().get(key).getValue()).longValue();
    }

    private long routeActive() {
        return registry().getCounters().entrySet().stream().filter(entry -> entry.getKey().startsWith("route.")
                && entry.getKey().endsWith(".active")).mapToLong(entry -> entry.getValue().getCount()).sum();
    }

    private void awaitNoTunnel() {
        Await.until("no tunnel open", WAIT, () -> servlet.tunnelsOpen() == 0);
    }

    @Test
    void relaysTextAndBinaryFramesAndEndsTheRequestWithThe101() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        EchoClient socket = EchoClient.connect(client, ws("/echo?room=1"));
        assertEquals("hello", socket.echo("hello"));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 255}, socket.echo(new byte[] {0, 1, 2, (byte) 255}));
        assertEquals("zweite Nachricht ✓", socket.echo("zweite Nachricht ✓"));
        // the request ended with its 101: the route holds nothing, the tunnel counts at the backend
        Await.until("route idle", WAIT, () -> routeActive() == 0);
        var breaker = io.breakwater.circuit.internal.BreakerRegistry.of(proxy.context().getServletContext())
                .getAllCircuitBreakers().iterator().next();
        assertEquals(1, breaker.getMetrics().getNumberOfSuccessfulCalls()); // the handshake, judged once
        assertEquals(1, servlet.tunnelsOpen());
        assertEquals(1, figure("tunnelsOpen", backend));
        assertEquals(1, figure("tunnelsOpened", backend));
        assertEquals(1, figure("inFlight", backend));
        assertEquals("127.0.0.1", backend.handshake.get("X-Forwarded-For"));
        assertTrue(backend.handshake.containsKey("X-Request-Id"), backend.handshake.toString());
        socket.socket.sendClose(1000, "done").get(30, TimeUnit.SECONDS);
        assertEquals(1000, socket.ended.get(30, TimeUnit.SECONDS));
        awaitNoTunnel();
        assertEquals(0, figure("tunnelsOpen", backend));
        assertEquals(0, figure("inFlight", backend));
        // each frame's 2-byte header and 4-byte mask, then the close frame with its code and reason
        assertTrue(figure("tunnelBytesSent", backend) >= 5 + 4 + 20 + 3 * 6, "sent bytes counted");
        assertTrue(figure("tunnelBytesReceived", backend) >= 5 + 4 + 20 + 3 * 2, "received bytes counted");
    }

    /** A browser's handshake has no Content-Length: Jetty parses such a request to its end before the upgrade. */
    @Test
    void relaysForAHandshakeWithoutContentLengthAsABrowserSendsIt() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Origin: http://127.0.0.1\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String head = head(in);
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            assertTrue(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), head);
            // the container's own Date and Server only: the backend's are not passed on beside them
            assertEquals(2, head.split("\r\nDate:", -1).length + head.split("\r\nServer:", -1).length - 2, head);
            // a masked text frame "hi"; the echo comes back unmasked
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
            assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, in.readNBytes(4));
        }
    }

    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            read.write(b);
        }
        return read.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void outlivesTheRequestDeadline() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("300ms", backend.url());
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        // three deadlines later the tunnel is still open, and still relays
        assertThrows(TimeoutException.class, () -> socket.ended.get(900, TimeUnit.MILLISECONDS));
        assertEquals("still here", socket.echo("still here"));
        assertEquals(0, routeActive());
    }

    /**
     * Jetty runs an upgraded request as an async cycle with its default timeout, 30 s, and the connector's idle
     * timeout (here 500 ms) applies to the connection; neither may end a tunnel that carries traffic.
     */
    @Test
    void staysOpenWhileBusyPastTheContainersTimeouts() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        ServerConnector connector = (ServerConnector) proxy.server().getConnectors()[0];
        connector.setIdleTimeout(500); // the connections accepted from now on: 30 s by default
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(32);
        int sent = 0;
        while (System.nanoTime() - end < 0) {
            assertEquals("message " + sent, socket.echo("message " + sent), "after " + sent + " messages");
            sent++;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // the client's pace, not a wait
        }
        assertTrue(!socket.ended.isDone(), "the tunnel closed after " + sent + " messages");
        assertEquals(1, servlet.tunnelsOpen());
    }

    @Test
    void relaysATenMegabyteMessageBothWays() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        byte[] message = new byte[10 * 1024 * 1024];
        new Random(7).nextBytes(message);
        assertArrayEquals(message, socket.echo(message));
        assertTrue(figure("tunnelBytesSent", backend) > message.length);
        assertTrue(figure("tunnelBytesReceived", backend) > message.length);
    }

    @Test
    void carriesTwoHundredTunnelsAtOnce() throws Exception {
        EchoBackend first = backend("b0");
        EchoBackend second = backend("b1");
        proxy("20s", first.url() + "," + second.url());
        List<CompletableFuture<EchoClient>> opening = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            opening.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return EchoClient.connect(client, ws("/echo"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<EchoClient> sockets = new ArrayList<>();
        for (CompletableFuture<EchoClient> socket : opening) {
            sockets.add(socket.get(60, TimeUnit.SECONDS));
        }
        assertEquals(200, servlet.tunnelsOpen());
        for (int i = 0; i < sockets.size(); i++) {
            sockets.get(i).socket.sendText("message " + i, true);
        }
        for (int i = 0; i < sockets.size(); i++) {
            assertEquals("message " + i, sockets.get(i).next());
        }
        assertEquals(200, first.opened.get() + second.opened.get());
        assertEquals(100, first.opened.get()); // round-robin
        for (EchoClient socket : sockets) {
            socket.socket.sendClose(1000, "");
        }
        awaitNoTunnel();
        assertEquals(0, figure("inFlight", first) + figure("inFlight", second));
    }

    @Test
    void closesTheClientWhenTheBackendIsKilledMidTunnel() throws Exception {
        try (RawWebSocketBackend backend = RawWebSocketBackend.start()) {
            proxy("20s", backend.url());
            EchoClient socket = EchoClient.connect(client, ws("/echo"));
            assertEquals(1, servlet.tunnelsOpen());
            backend.kill();
            assertEquals(1006, socket.ended.get(30, TimeUnit.SECONDS)); // closed abnormally: no close frame came
            awaitNoTunnel();
        }
    }

    @Test
    void closesTheBackendWhenTheClientGoesAwayMidTunnel() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        assertEquals("hi", socket.echo("hi"));
        socket.socket.abort();
        assertTrue(backend.sessionClosed.await(30, TimeUnit.SECONDS), "the backend saw the close");
        awaitNoTunnel();
        assertEquals(0, figure("inFlight", backend));
    }

    @Test
    void failsOverFromABackendThatRefusesTheHandshake() throws Exception {
        EchoBackend backend = backend("b1");
        int refusing;
        try (ServerSocket closed = new ServerSocket(0)) {
            refusing = closed.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + refusing;
        proxy("20s", dead + "," + backend.url(), "strategy", "round-robin");
        for (int i = 0; i < 4; i++) {
            EchoClient socket = EchoClient.connect(client, ws("/echo"));
            assertEquals("try " + i, socket.echo("try " + i));
            socket.socket.sendClose(1000, "");
        }
        assertEquals(4, backend.opened.get());
        long failures = (Long) ((Gauge<?>) registry().getGauges().get("proxy.proxy.backend.127.0.0.1:" + refusing
                + ".failures")).getValue();
        // each handshake chose twice, so round-robin's turn came back to the dead one first every time
        assertEquals(4, failures);
        awaitNoTunnel();
    }

    @Test
    void passesABackendsNon101AnswerThrough() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        String answer = raw(handshake("/not-a-socket", "websocket"));
        assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
        assertTrue(answer.endsWith("no websocket at b0"), answer);
        assertTrue(answer.contains("X-Saw-Upgrade: websocket"), answer);
        awaitNoTunnel(); // the handshake's place is given back once its answer is passed on
        assertEquals(0, figure("tunnelsOpened", backend));
    }

    @Test
    void passesAChunkedNon101AnswerThroughWithItsBody() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing("HTTP/1.1 401 Unauthorized\r\n"
                + "WWW-Authenticate: Bearer\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"))) {
            proxy("20s", backend.url());
            String answer = raw(handshake("/echo", "websocket"));
            assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
            assertTrue(answer.contains("WWW-Authenticate: Bearer"), answer);
            assertTrue(answer.endsWith("\r\n\r\nhello world"), answer);
            awaitNoTunnel();
        }
    }

    @Test
    void answersBackendTimeoutWhenNoBackendAnswersTheHandshakeInTime() throws Exception {
        try (RawBackend backend = RawBackend.start(RawBackend.writing(""))) {
            backend.script(backend.hanging(""));
            proxy("20s", backend.url(), "tryTimeout", "200ms", "maxAttempts", "1");
            String answer = raw(handshake("/echo", "websocket"));
            ProxyFixture.assertProblem(answer, 504, "BACKEND_TIMEOUT");
            long failures = (Long) ((Gauge<?>) registry().getGauges().get("proxy.proxy.backend."
                    + backend.url().substring("http://".length()) + ".failures")).getValue();
            assertEquals(1, failures);
            awaitNoTunnel();
        }
    }

    @Test
    void proxiesAnH2cUpgradeAsAPlainRequest() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url());
        String answer = raw(handshake("/echo", "h2c"));
        assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
        assertTrue(answer.contains("X-Saw-Upgrade: none"), answer);
        assertEquals(0, backend.opened.get());
    }

    @Test
    void answersOverloadedPastMaxTunnelsPerBackend() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url(), "maxTunnelsPerBackend", "1");
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        String answer = raw(handshake("/echo", "websocket"));
        ProxyFixture.assertProblem(answer, 503, "OVERLOADED");
        assertTrue(answer.contains("Retry-After: 1"), answer);
        assertEquals("the first still works", socket.echo("the first still works"));
        assertEquals(1, backend.opened.get());
    }

    @Test
    void closesATunnelIdleForTunnelIdleTimeout() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url(), "tunnelIdleTimeout", "300ms");
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        assertEquals("once", socket.echo("once"));
        socket.ended.get(30, TimeUnit.SECONDS);
        assertTrue(backend.sessionClosed.await(30, TimeUnit.SECONDS), "the backend saw the close");
        awaitNoTunnel();
    }

    @Test
    void givesOpenTunnelsTheGracePeriodOnAStopThenClosesThem() throws Exception {
        EchoBackend backend = backend("b0");
        proxy("20s", backend.url(), "shutdownGrace", "1s");
        EchoClient socket = EchoClient.connect(client, ws("/echo"));
        // the web app stops (an undeploy; a whole server closes its connections itself first)
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                proxy.context().stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("draining", WAIT, () -> Readiness.of(proxy.context().getServletContext()).isDraining());
        assertEquals("while draining", socket.echo("while draining"));
        assertFalse(stopped.isDone());
        socket.ended.get(30, TimeUnit.SECONDS);
        stopped.get(30, TimeUnit.SECONDS);
        assertTrue(backend.sessionClosed.await(30, TimeUnit.SECONDS), "the backend saw the close");
        assertEquals(0, servlet.tunnelsOpen());
    }

    private static String handshake(String path, String protocol) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: " + protocol
                + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n";
    }

    /** The answer's head and its Content-Length body. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            while (!read.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                read.write(b);
            }
            String head = read.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }
}
