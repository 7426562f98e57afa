package io.breakwater.timeout;

import static io.breakwater.testing.TestServlets.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.time.Deadline;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets.Handler;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;

class TimeoutFilterTest {
    private static final String TIMEOUT_BODY = "\"code\":\"TIMEOUT\"";

    static TestServer server(Map<String, String> timeoutParams, Consumer<ServletContextHandler> servlets)
            throws Exception {
        return TestServer.start(context -> {
            chain(context, timeoutParams);
            servlets.accept(context);
        });
    }

    /** The real chain: ExceptionHandlingFilter, then TimeoutFilter with the given init-params. */
    static void chain(ServletContextHandler context, Map<String, String> timeoutParams) {
        FilterHolder exceptions = new FilterHolder(ExceptionHandlingFilter.class);
        exceptions.setAsyncSupported(true);
        context.addFilter(exceptions, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        FilterHolder timeout = new FilterHolder(TimeoutFilter.class);
        timeout.setAsyncSupported(true);
        timeout.setInitParameters(timeoutParams);
        context.addFilter(timeout, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }

    static void hello(ServletContextHandler context) {
        route(context, "/hello", (request, response) -> {
            response.setContentType("text/plain");
            response.getWriter().write("hello");
        });
    }

    static HttpRequest get(TestServer server, String path) {
        return HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    @Test
    void hangingHandlerGetsTimeoutAnswerInTimeAndIsInterrupted() throws Exception {
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        CompletableFuture<Boolean> lateWriteFailed = new CompletableFuture<>();
        CountDownLatch never = new CountDownLatch(1);
        try (TestServer server = server(Map.of("timeout", "200ms"), context -> {
            hello(context);
            route(context, "/hang/*", (request, response) -> {
                response.setContentType("text/plain");
                response.getWriter().write("early ");
                try {
                    never.await(10, TimeUnit.SECONDS);
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                }
                try {
                    response.getOutputStream().write("late".getBytes());
                    response.getOutputStream().flush();
                    lateWriteFailed.complete(false);
                } catch (IllegalStateException | IOException e) {
                    lateWriteFailed.complete(true);
                }
                response.getWriter().write("late");
                response.setStatus(200);
            });
        })) {
            assertEquals(200, server.get("/hello").statusCode());

            long start = System.nanoTime();
            HttpResponse<String> response = server.get("/hang/report");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(503, response.statusCode());
            assertTrue(millis < 300, "answered after " + millis + " ms");
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.body().contains(TIMEOUT_BODY), response.body());
            assertTrue(response.body().contains("\"status\":503"), response.body());
            assertFalse(response.body().contains("late"), response.body());
            assertFalse(response.body().contains("early"), response.body());
            assertTrue(interrupted.get(5, TimeUnit.SECONDS));
            assertTrue(lateWriteFailed.get(5, TimeUnit.SECONDS));
            assertEquals(1, registry(server).counter("filter.timeout.timeouts").getCount());
            assertEquals(1, registry(server).counter("route./hang/*.timeouts").getCount());
        }
    }

    @Test
    void concurrentHangingRequestsAllTimeOutWhileHealthyRequestsSucceed() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TestServer server = server(Map.of("timeout", "200ms"), context -> {
            hello(context);
            route(context, "/hang", (request, response) -> {
                try {
                    never.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        })) {
            assertEquals(200, server.get("/hello").statusCode());
            List<CompletableFuture<Long>> hanging = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> healthy = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long start = System.nanoTime();
                hanging.add(server.client().sendAsync(get(server, "/hang"), HttpResponse.BodyHandlers.ofString())
                        .thenApply(response -> {
                            assertEquals(503, response.statusCode());
                            assertTrue(response.body().contains(TIMEOUT_BODY), response.body());
                            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        }));
            }
            for (int i = 0; i < 200; i++) {
                healthy.add(server.client().sendAsync(get(server, "/hello"), HttpResponse.BodyHandlers.ofString()));
            }

            for (CompletableFuture<Long> timedOut : hanging) {
                long millis = timedOut.get(10, TimeUnit.SECONDS);
                // the contract's 300 ms holds on an idle machine; this bound leaves room for a loaded one
                assertTrue(millis < 2_000, "answered after " + millis + " ms");
            }
            for (CompletableFuture<HttpResponse<String>> ok : healthy) {
                HttpResponse<String> response = ok.get(10, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                assertEquals("hello", response.body());
            }
            assertEquals(50, registry(server).counter("route./hang.timeouts").getCount());
        }
    }

    @Test
    void pathOverrideSetsDeadlineThatDownstreamCodeSees() throws Exception {
        try (TestServer server = server(Map.of("timeout", "200ms", "timeoutPaths", "/reports/*=30s,/export/*=off"),
                context -> {
                    Handler remaining = (request, response) -> response.getWriter().write(Deadline.of(request)
                            .map(deadline -> deadline.remaining().toMillis() + (deadline.isExpired() ? " expired" : ""))
                            .orElse("none"));
                    route(context, "/reports/*", remaining);
                    route(context, "/export/*", remaining);
                    route(context, "/orders", remaining);
                })) {
            long reports = Long.parseLong(server.get("/reports/monthly").body());
            long orders = Long.parseLong(server.get("/orders").body());

            assertTrue(reports > 25_000 && reports <= 30_000, "remaining " + reports);
            assertTrue(orders > 0 && orders <= 200, "remaining " + orders);
            assertEquals("none", server.get("/export/all").body());
        }
    }

    @Test
    void pathWithDeadlineOffRunsPastTheDefault() throws Exception {
        try (TestServer server = server(Map.of("timeout", "100ms", "timeoutPaths", "/export/*=off,/reports/*=5s"),
                context -> {
                    Handler slow = (request, response) -> {
                        try {
                            // slower than the default deadline, on purpose: this handler is the slow one
                            new CountDownLatch(1).await(400, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            response.setStatus(500);
                            return;
                        }
                        response.getWriter().write("done");
                    };
                    route(context, "/export/*", slow);
                    route(context, "/reports/*", slow);
                    route(context, "/orders", slow);
                })) {
            HttpResponse<String> export = server.get("/export/all");
            HttpResponse<String> report = server.get("/reports/monthly");
            HttpResponse<String> orders = server.get("/orders");

            assertEquals(200, export.statusCode());
            assertEquals("done", export.body());
            assertEquals(200, report.statusCode());
            assertEquals("done", report.body());
            assertEquals(503, orders.statusCode());
            assertTrue(orders.body().contains(TIMEOUT_BODY), orders.body());
        }
    }

    @Test
    void configuredStatus504AnswersTimeouts() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TestServer server = server(Map.of("timeout", "100ms", "timeoutStatus", "504"), context ->
                route(context, "/gateway/*", (request, response) -> {
                    try {
                        never.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }))) {
            HttpResponse<String> response = server.get("/gateway/x");

            assertEquals(504, response.statusCode());
            assertTrue(response.body().contains(TIMEOUT_BODY), response.body());
            assertTrue(response.body().contains("\"status\":504"), response.body());
            assertTrue(response.body().contains("\"title\":\"Gateway Timeout\""), response.body());
        }
    }

    @Test
    void streamingResponseCommittedBeforeDeadlineIsAbortedWithoutErrorBody() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TestServer server = server(Map.of("timeout", "1s"), context ->
                route(context, "/stream", (request, response) -> {
                    response.setContentType("text/plain");
                    response.getOutputStream().write("first part\n".getBytes());
                    response.flushBuffer();
                    try {
                        never.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        response.getOutputStream().write("late part\n".getBytes());
                    }
                }))) {
            String raw = readUntilClosed(server, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");

            assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
            assertTrue(raw.contains("Transfer-Encoding: chunked"), raw);
            assertTrue(raw.contains("first part"), raw);
            assertFalse(raw.contains("late part"), raw);
            assertFalse(raw.contains("TIMEOUT"), raw);
            assertFalse(raw.endsWith("0\r\n\r\n"), "the response must not look complete: " + raw);
            assertThrows(IOException.class, () -> server.get("/stream"));
        }
    }

    /** Everything the server sends on a keep-alive connection until it closes it (an abort, here). */
    private static String readUntilClosed(TestServer server, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void asyncRequestPastDeadlineGetsTimeoutAndLateCompleteIsHarmless() throws Exception {
        CompletableFuture<AsyncContext> started = new CompletableFuture<>();
        try (TestServer server = server(Map.of("timeout", "200ms"), context -> {
            route(context, "/async", (request, response) -> started.complete(request.startAsync()));
            route(context, "/async-ok", (request, response) -> {
                AsyncContext async = request.startAsync();
                async.start(() -> {
                    try {
                        async.getResponse().getWriter().write("async done");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    async.complete();
                });
            });
        })) {
            HttpResponse<String> ok = server.get("/async-ok");
            assertEquals(200, ok.statusCode());
            assertEquals("async done", ok.body());

            long start = System.nanoTime();
            HttpResponse<String> response = server.get("/async");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains(TIMEOUT_BODY), response.body());
            assertTrue(millis < 1_000, "answered after " + millis + " ms");
            AsyncContext late = started.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> lateComplete = CompletableFuture.runAsync(late::complete);
            lateComplete.get(5, TimeUnit.SECONDS);
            assertEquals(200, server.get("/async-ok").statusCode());
            assertEquals(1, registry(server).counter("filter.timeout.timeouts").getCount());
        }
    }

    /**
     * The request under a deadline answers {@code getAsyncContext} from the cycle it started while that cycle runs,
     * and asks the container again once it completed, which then throws as it does for a request with no cycle.
     */
    @Test
    void asyncContextIsTheStartedOneWhileItRunsAndRefusedOnceItCompleted() throws Exception {
        CompletableFuture<HttpServletRequest> held = new CompletableFuture<>();
        CompletableFuture<Boolean> sameWhileRunning = new CompletableFuture<>();
        try (TestServer server = server(Map.of("timeout", "5s"), context ->
                route(context, "/async", (request, response) -> {
                    AsyncContext async = request.startAsync();
                    async.start(() -> {
                        sameWhileRunning.complete(request.getAsyncContext() == async);
                        held.complete(request);
                        request.getAsyncContext().complete();
                    });
                }))) {
            assertEquals(200, server.get("/async").statusCode());
            assertTrue(sameWhileRunning.get(5, TimeUnit.SECONDS));
            HttpServletRequest request = held.get(5, TimeUnit.SECONDS);
            Await.until("the completed cycle refused", Duration.ofSeconds(5), () -> {
                try {
                    request.getAsyncContext();
                    return false;
                } catch (IllegalStateException noCycle) {
                    return true;
                }
            });
        }
    }

    @Test
    void asyncDeadlineWaitsForAChangeUnderWayOnTheUncommittedResponseThenAnswers() throws Exception {
        // The proxy's client thread copies a backend's header when the deadline passes: the timeout's answer must
        // not be written beside it (reset, then a header of the backend's answer in the 503), but after it.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (TestServer server = TestServer.start(context -> {
            FilterHolder exceptions = new FilterHolder(ExceptionHandlingFilter.class);
            exceptions.setAsyncSupported(true);
            context.addFilter(exceptions, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            // below TimeoutFilter's gate: a header change that takes as long as the test says
            FilterHolder slowHeader = new FilterHolder((Filter) (request, response, chain) ->
                    chain.doFilter(request, new HttpServletResponseWrapper((HttpServletResponse) response) {
                        @Override
                        public void setHeader(String name, String value) {
                            if ("X-Backend".equals(name)) {
                                inside.countDown();
                                awaitQuietly(release);
                            }
                            super.setHeader(name, value);
                        }
                    }));
            slowHeader.setAsyncSupported(true);
            context.addFilter(slowHeader, "/*", EnumSet.of(DispatcherType.REQUEST));
            FilterHolder timeout = new FilterHolder(TimeoutFilter.class);
            timeout.setAsyncSupported(true);
            // long enough for the request thread to be back in TimeoutFilter, with the async cycle started, first
            timeout.setInitParameter("timeout", "1s");
            context.addFilter(timeout, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            route(context, "/proxied", (request, response) -> {
                AsyncContext async = request.startAsync();
                new Thread(() -> {
                    response.setStatus(200);
                    response.setHeader("X-Backend", "b1");
                    try {
                        response.getWriter().write("backend body");
                        async.complete();
                    } catch (IOException late) {
                        // past the deadline: the timeout owns the response and completes the cycle
                    }
                }, "test-client-thread").start();
            });
        })) {
            CompletableFuture<HttpResponse<String>> answer =
                    server.client().sendAsync(get(server, "/proxied"), HttpResponse.BodyHandlers.ofString());
            assertTrue(inside.await(5, TimeUnit.SECONDS), "the header change began");
            Await.until("the deadline passed", Duration.ofSeconds(5),
                    () -> registry(server).counter("filter.timeout.timeouts").getCount() > 0);
            // the deadline passed with the change under way: no answer while it is
            assertThrows(TimeoutException.class,
                    () -> answer.get(500, TimeUnit.MILLISECONDS));
            release.countDown();

            HttpResponse<String> response = answer.get(5, TimeUnit.SECONDS);
            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains(TIMEOUT_BODY), response.body());
            assertFalse(response.body().contains("backend body"), response.body());
            assertTrue(response.headers().firstValue("X-Backend").isEmpty(), response.headers().toString());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void asyncStreamingResponseCommittedBeforeDeadlineIsAborted() throws Exception {
        CompletableFuture<AsyncContext> started = new CompletableFuture<>();
        try (TestServer server = server(Map.of("timeout", "1s"), context ->
                route(context, "/async-stream", (request, response) -> {
                    AsyncContext async = request.startAsync();
                    response.setContentType("text/plain");
                    response.getOutputStream().write("first part\n".getBytes());
                    response.flushBuffer();
                    started.complete(async);
                }))) {
            String raw = readUntilClosed(server, "GET /async-stream HTTP/1.1\r\nHost: localhost\r\n\r\n");

            assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
            assertTrue(raw.contains("first part"), raw);
            assertFalse(raw.contains("TIMEOUT"), raw);
            assertFalse(raw.endsWith("0\r\n\r\n"), "the response must not look complete: " + raw);
            CompletableFuture.runAsync(started.get(5, TimeUnit.SECONDS)::complete).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void handlerWithoutTimeoutIsNotWrappedInItsDeadlineAfterwards() throws Exception {
        try (TestServer server = server(Map.of("timeout", "5s"), context -> {
            hello(context);
            route(context, "/fail", (request, response) -> {
                throw new IllegalStateException("in time");
            });
        })) {
            HttpResponse<String> failed = server.get("/fail");
            assertEquals(500, failed.statusCode());
            assertTrue(failed.body().contains("\"code\":\"INTERNAL_ERROR\""), failed.body());
            assertFalse(Thread.currentThread().isInterrupted());
            assertEquals(0, registry(server).counter("filter.timeout.timeouts").getCount());
            assertNull(registry(server).getCounters().get("route./fail.timeouts"));
            assertNotNull(registry(server).getCounters().get("filter.timeout.calls"));
            assertEquals(1, registry(server).counter("filter.timeout.calls").getCount());
        }
    }
}
