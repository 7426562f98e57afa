package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.BreakwaterChain;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.health.DrainFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.ErrorLines;
import io.breakwater.testing.RawExchange;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Who owns a fault of the app's, on the filters' side, in each container: the suite's chain (and a DrainFilter) in
 * front of servlets that throw, throw an I/O failure of their own work, do either after committing part of their
 * answer, hang past their deadline, or lose their client mid-answer. Each cell says what the client got, which
 * counters moved, what the route's breaker recorded, and that the request left nothing behind.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
@Timeout(120)
class FilterFaultMatrixIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EXCEPTIONS = "filter.exceptionHandling.exceptions.";
    private static final String CLIENT_ABORTS = "filter.exceptionHandling.clientAborts";
    private static final String ABORTED_COMMITTED = "filter.exceptionHandling.abortedCommitted";
    private static final String TIMEOUTS = "filter.timeout.timeouts";

    @Parameter
    ServletContainer container;

    /** What the app's servlet does, and what each side must see of it. */
    enum Fault {
        THROWS("/throws", "", 500, "INTERNAL_ERROR", IllegalStateException.class),
        THROWS_IO("/throws-io", "", 500, "INTERNAL_ERROR", EOFException.class),
        THROWS_CLOSED_CHANNEL("/throws-closed", "", 500, "INTERNAL_ERROR", IOException.class),
        THROWS_RESET("/throws-reset", "", 500, "INTERNAL_ERROR", IOException.class),
        THROWS_AFTER_COMMIT("/throws", "?commit=after", ABORTED, null, IllegalStateException.class),
        THROWS_IO_AFTER_COMMIT("/throws-io", "?commit=after", ABORTED, null, EOFException.class),
        HANGS("/hangs", "", 503, "TIMEOUT", null),
        CLIENT_LEAVES("/download", "", GONE, null, null);

        final String route;
        final String query;
        /** The status the client gets, or {@link #ABORTED}, or {@link #GONE} (the client left before it). */
        final int status;
        final String code;
        /** The class counted in {@code exceptions.<class>}, or {@code null} when no exception is the app's. */
        final Class<? extends Throwable> thrown;

        Fault(String route, String query, int status, String code, Class<? extends Throwable> thrown) {
            this.route = route;
            this.query = query;
            this.status = status;
            this.code = code;
            this.thrown = thrown;
        }

        boolean isRoutesFailure() {
            return this != CLIENT_LEAVES;
        }
    }

    private static final int ABORTED = -1;
    private static final int GONE = -2;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final DrainFilter drain = new DrainFilter();
    private final CountDownLatch downloadFailed = new CountDownLatch(1);

    @ParameterizedTest
    @EnumSource(Fault.class)
    void everyFaultHasOneOwner(Fault fault) throws Exception {
        Deployment app = deploy();
        try (ErrorLines errors = ErrorLines.capture()) {
            String requestId = "cell-" + fault.name().toLowerCase(java.util.Locale.ROOT);
            String route = fault.route;
            switch (fault.status) {
                case ABORTED -> assertAborted(RawExchange.untilClosed(app.port(), "GET " + route + fault.query
                        + " HTTP/1.1\r\nHost: x\r\n" + "X-Request-Id: " + requestId + "\r\n\r\n"));
                case GONE -> leaveMidDownload(app);
                default -> {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + app.port() + route + fault.query))
                            .header("X-Request-Id", requestId).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(fault.status, response.statusCode(), response.body());
                    assertEquals("application/problem+json",
                            response.headers().firstValue("Content-Type").orElse(""));
                    assertTrue(response.body().contains("\"code\":\"" + fault.code + "\",\"requestId\":\""
                            + requestId + "\""), response.body());
                }
            }

            MetricRegistry registry = (MetricRegistry) app.servletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            CircuitBreaker breaker = BreakerRegistry.of(app.servletContext()).find(route)
                    .orElseThrow(() -> new AssertionError("no breaker for " + route));
            Await.until("the breaker judged the call", WAIT, () -> breaker.getMetrics().getNumberOfBufferedCalls()
                    == (fault.isRoutesFailure() ? 1 : 0) && (fault.isRoutesFailure()
                            || registry.counter(CLIENT_ABORTS).getCount() == 1));
            Await.until("the request is at rest", WAIT, () -> active(registry, route) == 0 && drain.inFlight() == 0);

            assertEquals(fault.isRoutesFailure() ? 1 : 0, breaker.getMetrics().getNumberOfFailedCalls());
            assertEquals(CircuitBreaker.State.CLOSED, breaker.getState());
            assertEquals(fault == Fault.CLIENT_LEAVES ? 1 : 0, registry.counter(CLIENT_ABORTS).getCount());
            assertEquals(fault.status == ABORTED ? 1 : 0, registry.counter(ABORTED_COMMITTED).getCount());
            assertEquals(fault == Fault.HANGS ? 1 : 0, registry.counter(TIMEOUTS).getCount());
            assertEquals(fault.thrown == null ? Map.of() : Map.of(EXCEPTIONS + fault.thrown.getName(), 1L),
                    exceptions(registry));
            if (fault.status >= 500) {
                // counted as the first filter returns, which may be just after the client has its answer
                Await.until("the route counted its 5xx", WAIT,
                        () -> registry.meter("route." + route + ".responses.5xx").getCount() == 1);
            }
            List<String> logged = errors.lines();
            if (fault.thrown != null) {
                assertTrue(logged.stream().anyMatch(line -> line.contains("requestId=" + requestId)),
                        "an ERROR line with the request id: " + logged);
            } else {
                assertEquals(List.of(), logged);
            }
        } finally {
            app.stop();
        }
    }

    private Deployment deploy() throws Exception {
        ServletContainerInitializer chain = (classes, context) -> {
            new BreakwaterChain().register(context);
            FilterRegistration.Dynamic registration = context.addFilter("DrainFilter", drain);
            registration.setAsyncSupported(true);
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
        };
        Map<String, HttpServlet> servlets = Map.of(
                "/throws", servlet((request, response) -> {
                    commitIfAsked(request, response);
                    throw new IllegalStateException("a bug");
                }),
                "/throws-io", servlet((request, response) -> {
                    commitIfAsked(request, response);
                    throw new EOFException("the database closed the connection mid-query");
                }),
                "/throws-closed", servlet((request, response) -> {
                    throw new IOException("query failed", new ClosedChannelException());
                }),
                "/throws-reset", servlet((request, response) -> {
                    throw new IOException("Connection reset by peer");
                }),
                "/hangs", servlet((request, response) -> {
                    try {
                        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the deadline passed: the timeout answered
                    }
                }),
                "/download", servlet(this::download));
        // the breaker only records (it never opens here); the hanging route's deadline is short
        Map<String, String> params = Map.of("breakwater.minimumCalls", "100",
                "breakwater.timeoutPaths", "/hangs=500ms", "breakwater.timeout", "30s");
        return switch (container) {
            case JETTY -> JettyDeployment.inCode(chain, servlets, params);
            case TOMCAT -> TomcatDeployment.inCode(chain, servlets, params);
        };
    }

    private static void commitIfAsked(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("after".equals(request.getParameter("commit"))) {
            response.setContentType("text/plain");
            response.getOutputStream().write("partial answer".getBytes(StandardCharsets.US_ASCII));
            response.flushBuffer();
        }
    }

    /** Writes until the client is gone. */
    private void download(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/octet-stream");
        ServletOutputStream out = response.getOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int i = 0; i < 100_000; i++) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            downloadFailed.countDown();
            throw e;
        }
    }

    /** A client that reads the start of a download, then resets its connection. */
    private void leaveMidDownload(Deployment app) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /download HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] some = new byte[65536];
            for (int read = 0; read < some.length; ) {
                int n = in.read(some, read, some.length - read);
                assertTrue(n > 0, "the download began");
                read += n;
            }
            socket.setSoLinger(true, 0);
        }
        assertTrue(downloadFailed.await(20, TimeUnit.SECONDS), "the app's write to the gone client failed");
    }

    private static void assertAborted(String answer) {
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertTrue(answer.contains("partial answer"), answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), answer);
        assertFalse(answer.contains("INTERNAL_ERROR"), answer);
        assertFalse(answer.endsWith("\r\n0\r\n\r\n"), "aborted, not ended as if whole: " + answer);
    }

    private static long active(MetricRegistry registry, String route) {
        Gauge<?> gauge = registry.getGauges().get("route." + route + ".active");
        return gauge == null ? 0 : ((Number) gauge.getValue()).longValue();
    }

    private static Map<String, Long> exceptions(MetricRegistry registry) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        registry.getCounters((name, metric) -> name.startsWith(EXCEPTIONS))
                .forEach((name, counter) -> counts.put(name, counter.getCount()));
        return counts;
    }

    /** What a test servlet does. */
    @FunctionalInterface
    private interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
    }

    private static HttpServlet servlet(Handler handler) {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                handler.handle(request, response);
            }
        };
    }
}
