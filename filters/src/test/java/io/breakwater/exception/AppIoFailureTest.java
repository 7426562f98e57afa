package io.breakwater.exception;

import static io.breakwater.testing.TestServlets.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.testing.Await;
import io.breakwater.testing.ErrorLines;
import io.breakwater.testing.RawExchange;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An I/O failure of the app's own work (its database driver, its HTTP client) is the app's failure, whatever its
 * type; the client went away only when a write to its own connection failed.
 */
@Timeout(60)
class AppIoFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final AtomicInteger writesFailed = new AtomicInteger();
    private final CountDownLatch downloadFailed = new CountDownLatch(1);

    /** The chain's filters in front of routes that fail the way a driver or a client library does. */
    private TestServer start() throws Exception {
        return TestServer.start(context -> {
            add(context, new FilterHolder(ExceptionHandlingFilter.class), Map.of());
            add(context, new FilterHolder(TimeoutFilter.class), Map.of("timeout", "30s"));
            add(context, new FilterHolder(CircuitBreakerFilter.class),
                    Map.of("windowType", "count", "windowSize", "100", "minimumCalls", "100"));
            route(context, "/app/*", (request, response) -> {
                if ("after".equals(request.getParameter("commit"))) {
                    response.setContentType("text/plain");
                    response.getOutputStream().write("partial answer".getBytes(StandardCharsets.US_ASCII));
                    response.flushBuffer();
                }
                throw appFailure(request.getPathInfo());
            });
            route(context, "/download", (request, response) -> download(response));
        });
    }

    private static void add(ServletContextHandler context, FilterHolder holder, Map<String, String> params) {
        holder.setAsyncSupported(true);
        holder.setInitParameters(params);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }

    /** What a database driver or an HTTP client throws when its own connection breaks. */
    static IOException appFailure(String kind) {
        return switch (kind) {
            case "/eof" -> new EOFException("the database closed the connection mid-query");
            case "/closed" -> new IOException("query failed", new ClosedChannelException());
            case "/reset" -> new IOException("Connection reset by peer");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Writes until the client is gone: a download the client abandons. */
    private void download(HttpServletResponse response) throws IOException {
        response.setContentType("application/octet-stream");
        ServletOutputStream out = response.getOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int i = 0; i < 100_000; i++) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            writesFailed.incrementAndGet();
            downloadFailed.countDown();
            throw e;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eof", "closed", "reset"})
    void appsOwnIoFailureBeforeCommitIsAnInternalErrorAndABreakerFailure(String kind) throws Exception {
        try (TestServer server = start(); ErrorLines errors = ErrorLines.capture()) {
            HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/app/" + kind))
                    .header("X-Request-Id", "db-" + kind).timeout(Duration.ofSeconds(30)).build());

            assertEquals(500, response.statusCode(), response.body());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertEquals("{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
                    + "\"error\":\"Internal server error\",\"code\":\"INTERNAL_ERROR\",\"requestId\":\"db-" + kind
                    + "\",\"instance\":\"/app/" + kind + "\"}", response.body());
            assertTrue(errors.lines().stream().anyMatch(line -> line.contains("requestId=db-" + kind)),
                    "an ERROR line with the request id: " + errors.lines());
            MetricRegistry registry = registry(server);
            String thrown = appFailure("/" + kind).getClass().getName();
            assertEquals(1, registry.counter("filter.exceptionHandling.exceptions." + thrown).getCount());
            assertEquals(0, registry.counter("filter.exceptionHandling.clientAborts").getCount());
            Await.until("the breaker counted the failure", WAIT,
                    () -> breaker(server, "/app/*").getMetrics().getNumberOfFailedCalls() == 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eof", "closed", "reset"})
    void appsOwnIoFailureAfterCommitAbortsTheTransfer(String kind) throws Exception {
        try (TestServer server = start(); ErrorLines errors = ErrorLines.capture()) {
            // keep-alive, so that the body is chunked and an abort shows as a missing terminating chunk
            String answer = RawExchange.untilClosed(server.port(), "GET /app/" + kind
                    + "?commit=after HTTP/1.1\r\nHost: localhost\r\n" + "X-Request-Id: late-" + kind + "\r\n\r\n");

            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            assertTrue(answer.contains("Transfer-Encoding: chunked"), answer);
            assertTrue(answer.contains("partial answer"), answer);
            assertFalse(answer.contains("INTERNAL_ERROR"), answer);
            assertFalse(answer.endsWith("\r\n0\r\n\r\n"), "the transfer was aborted, not ended: " + answer);
            MetricRegistry registry = registry(server);
            Await.until("the abort is counted", WAIT,
                    () -> registry.counter("filter.exceptionHandling.abortedCommitted").getCount() == 1);
            String thrown = appFailure("/" + kind).getClass().getName();
            assertEquals(1, registry.counter("filter.exceptionHandling.exceptions." + thrown).getCount());
            assertEquals(0, registry.counter("filter.exceptionHandling.clientAborts").getCount());
            assertTrue(errors.lines().stream().anyMatch(line -> line.contains("requestId=late-" + kind)),
                    "an ERROR line with the request id: " + errors.lines());
            Await.until("the breaker counted the failure", WAIT,
                    () -> breaker(server, "/app/*").getMetrics().getNumberOfFailedCalls() == 1);
        }
    }

    @Test
    void clientThatLeavesMidDownloadIsCountedAsGoneNotAsTheRoutesFailure() throws Exception {
        try (TestServer server = start(); ErrorLines errors = ErrorLines.capture()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /download HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] some = new byte[65536];
                int read = 0;
                while (read < some.length) {
                    int n = in.read(some, read, some.length - read);
                    assertTrue(n > 0, "the download began");
                    read += n;
                }
                socket.setSoLinger(true, 0); // a reset, as a client that gave up sends it
            }
            assertTrue(downloadFailed.await(20, TimeUnit.SECONDS), "the app's write to the client failed");
            MetricRegistry registry = registry(server);
            Await.until("the client is counted as gone", WAIT,
                    () -> registry.counter("filter.exceptionHandling.clientAborts").getCount() == 1);
            assertEquals(1, writesFailed.get());
            assertEquals(0, registry.getCounters((name, metric) ->
                    name.startsWith("filter.exceptionHandling.exceptions.")).size());
            assertEquals(0, registry.counter("filter.exceptionHandling.abortedCommitted").getCount());
            CircuitBreaker breaker = breaker(server, "/download");
            assertEquals(0, breaker.getMetrics().getNumberOfBufferedCalls());
            assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
            assertEquals(0, errors.lines().size(), errors.lines().toString());
        }
    }

    private static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    private static CircuitBreaker breaker(TestServer server, String route) {
        CircuitBreakerRegistry registry = (CircuitBreakerRegistry) server.context().getServletContext()
                .getAttribute(BreakerRegistry.ATTRIBUTE);
        return registry.find(route).orElseThrow(() -> new AssertionError("no breaker " + route));
    }
}
