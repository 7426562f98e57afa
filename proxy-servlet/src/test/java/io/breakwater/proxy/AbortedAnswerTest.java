package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.ErrorLines;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * A backend that dies mid-answer, after the proxy committed the client's response: the proxy aborts the client's
 * connection, and behind the suite's filters the request ends there, deadline included.
 */
class AbortedAnswerTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    /**
     * A raw backend that announces a long answer, sends {@value #SENT} bytes of it (more than the proxy holds back
     * before it commits the client's response), then resets the connection; its second connection on holds the
     * request without answering.
     */
    private static final class DyingBackend implements AutoCloseable {
        static final int SENT = 1 << 20;
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::serve, "dying-backend");

        DyingBackend() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + listener.getLocalPort();
        }

        private void serve() {
            try {
                for (int connection = 0; ; connection++) {
                    Socket socket = listener.accept();
                    readHead(socket.getInputStream());
                    if (connection > 0) {
                        held.add(socket); // never answered: the request runs past its deadline
                        continue;
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + (4 * SENT)
                            + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    byte[] body = new byte[SENT];
                    Arrays.fill(body, (byte) 'x');
                    out.write(body);
                    out.flush();
                    socket.setSoLinger(true, 0);
                    socket.close(); // a reset mid-answer
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private static void readHead(InputStream in) throws IOException {
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed before the request's head ended");
                }
                matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void answerAbortedMidBodyEndsTheRequestsDeadlineAndActiveCount() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        try (ErrorLines errors = ErrorLines.capture();
                DyingBackend backend = new DyingBackend();
                TestServer proxy = TestServer.start(context -> {
                    for (FilterHolder holder : List.of(new FilterHolder(ExceptionHandlingFilter.class),
                            new FilterHolder(TimeoutFilter.class), new FilterHolder(MetricsFilter.class))) {
                        holder.setAsyncSupported(true);
                        if (holder.getHeldClass() == TimeoutFilter.class) {
                            holder.setInitParameters(Map.of("timeout", TIMEOUT.toMillis() + "ms"));
                        }
                        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
                    }
                    ServletHolder servlet = new ServletHolder("proxy", BalancingProxyServlet.class);
                    servlet.setInitParameters(Map.of("backends", backend.url(), "healthCheckPath", "off",
                            "maxAttempts", "1"));
                    servlet.setAsyncSupported(true);
                    servlet.setInitOrder(0);
                    context.addServlet(servlet, "/*");
                    context.addServlet(new ServletHolder(new HttpServlet() {
                        @Override
                        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                            try {
                                hang.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException timedOut) {
                                // the deadline interrupts a handler it answered for
                            }
                        }
                    }), "/hang");
                })) {
            MetricRegistry registry = (MetricRegistry) proxy.context().getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);

            String raw = readUntilClosed(proxy, "/orders/1");
            assertTrue(raw.startsWith("HTTP/1.1 200"), raw.substring(0, Math.min(200, raw.length())));
            Await.until("route /* has no active request", Duration.ofSeconds(10),
                    () -> registry.counter("route./*.active").getCount() == 0);

            // two requests that run past their deadlines, the second sent once the first was answered: by then every
            // deadline due before the first's has fired, had the aborted request's still been armed
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> hung = proxy.get("/hang");
                assertEquals(503, hung.statusCode(), hung.body());
                assertTrue(hung.body().contains("\"code\":\"TIMEOUT\""), hung.body());
            }
            assertEquals(2, registry.counter("filter.timeout.timeouts").getCount());
            assertEquals(2, registry.counter("route./hang.timeouts").getCount());
            assertFalse(registry.getCounters().containsKey("route./*.timeouts"));
            assertEquals(0, registry.counter("route./*.active").getCount());
            assertEquals(List.of(), errors.lines());
        }
    }

    /** Sends a GET and reads until the proxy closes the connection (an abort, here). */
    private static String readUntilClosed(TestServer proxy, String pathAndQuery) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int body = raw.indexOf("\r\n\r\n") + 4;
            assertTrue(raw.length() - body < 4 * DyingBackend.SENT, "the aborted answer must not look complete");
            return raw;
        }
    }
}
