package io.breakwater.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.management.JMException;
import javax.management.ObjectName;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MetricsFilterTest {
    private static final long ASYNC_DELAY_MILLIS = 200;
    private static JmxClient jmx;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void openJmx() throws IOException {
        jmx = JmxClient.open();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void closeJmx() throws IOException {
        scheduler.shutdownNow();
        jmx.close();
    }

    @Test
    void countsReadOverJmxAreExactPerRouteStatusClassAndException() throws Exception {
        try (TestServer server = TestServer.start(app(true, context -> { }))) {
            for (int i = 0; i < 7; i++) {
                assertEquals(200, server.get("/ok").statusCode());
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(500, server.get("/fail").statusCode());
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(500, server.get("/throw").statusCode());
            }

            assertEquals(7L, jmx.await(JmxClient.metric("route./ok.latency"), "Count", 7L));
            assertEquals(7L, jmx.await(JmxClient.metric("route./ok.responses.2xx"), "Count", 7L));
            assertEquals(0L, jmx.await(JmxClient.metric("route./ok.responses.5xx"), "Count", 0L));
            assertEquals(3L, jmx.await(JmxClient.metric("route./fail.latency"), "Count", 3L));
            assertEquals(3L, jmx.await(JmxClient.metric("route./fail.responses.5xx"), "Count", 3L));
            assertEquals(0L, jmx.await(JmxClient.metric("route./fail.responses.2xx"), "Count", 0L));
            assertEquals(4L, jmx.await(JmxClient.metric("route./throw.responses.5xx"), "Count", 4L));
            assertEquals(4L, jmx.await(JmxClient.metric(
                    "filter.exceptionHandling.exceptions.java.lang.IllegalStateException"), "Count", 4L));
            for (String route : List.of("/ok", "/fail", "/throw")) {
                assertEquals(0L, jmx.await(JmxClient.metric("route." + route + ".active"), "Count", 0L));
            }
            assertEquals(14L, jmx.await(JmxClient.metric("filter.metrics.calls"), "Count", 14L));
            assertEquals(14L, jmx.await(JmxClient.metric("filter.exceptionHandling.calls"), "Count", 14L));
        }
    }

    @Test
    void activeRequestsCountTheRequestsUnderWayAndReturnToZero() throws Exception {
        Semaphore release = new Semaphore(0);
        try (TestServer server = TestServer.start(app(true, context -> context.addServlet(new ServletHolder(
                new HttpServlet() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected void doGet(HttpServletRequest req, HttpServletResponse res) {
                        try {
                            release.tryAcquire(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }), "/hang")))) {
            List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hanging.add(server.client().sendAsync(HttpRequest.newBuilder(server.uri("/hang")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            assertEquals(3L, jmx.await(JmxClient.metric("route./hang.active"), "Count", 3L));
            release.release(3);
            for (CompletableFuture<HttpResponse<String>> response : hanging) {
                assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(0L, jmx.await(JmxClient.metric("route./hang.active"), "Count", 0L));
        }
    }

    @Test
    void tenThousandDistinctUnmappedUrisLeaveTheRegistryBounded() throws Exception {
        try (TestServer server = TestServer.start(app(true, context -> { }))) {
            assertEquals(404, server.get("/no/such/thing").statusCode());
            MetricRegistry registry = registry(server);
            int before = registry.getNames().size();
            int mbeansBefore = jmx.count("breakwater:*");

            Semaphore inFlight = new Semaphore(32);
            List<CompletableFuture<Integer>> statuses = new ArrayList<>(10_000);
            for (int i = 0; i < 10_000; i++) {
                inFlight.acquire();
                statuses.add(server.client()
                        .sendAsync(HttpRequest.newBuilder(server.uri("/unmapped/" + i + "?q=" + i)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .thenApply(HttpResponse::statusCode)
                        .whenComplete((status, failure) -> inFlight.release()));
            }
            for (CompletableFuture<Integer> status : statuses) {
                assertEquals(404, status.get(30, TimeUnit.SECONDS));
            }

            assertEquals(10_001L, jmx.await(JmxClient.metric("route.unmatched.responses.4xx"), "Count", 10_001L));
            assertEquals(before, registry.getNames().size());
            assertEquals(mbeansBefore, jmx.count("breakwater:*"));
        }
    }

    @Test
    void routesBeyondMaxRoutesShareTheOverflowRoute() throws Exception {
        try (TestServer server = TestServer.start(context -> {
            FilterHolder metrics = new FilterHolder(MetricsFilter.class);
            metrics.setInitParameter("maxRoutes", "2");
            context.addFilter(metrics, "/*", EnumSet.of(DispatcherType.REQUEST));
            for (String path : List.of("/a", "/b", "/c", "/d")) {
                context.addServlet(new ServletHolder(new StatusServlet(200)), path);
            }
        })) {
            for (String path : List.of("/a", "/b", "/c", "/d", "/c")) {
                assertEquals(200, server.get(path).statusCode());
            }
            assertEquals(1L, jmx.await(JmxClient.metric("route./a.latency"), "Count", 1L));
            assertEquals(1L, jmx.await(JmxClient.metric("route./b.latency"), "Count", 1L));
            assertEquals(3L, jmx.await(JmxClient.metric("route.overflow.latency"), "Count", 3L));
            MetricRegistry registry = registry(server);
            assertTrue(registry.getNames().stream().noneMatch(name -> name.startsWith("route./c")));
            assertTrue(registry.getNames().stream().noneMatch(name -> name.startsWith("route./d")));
        }
    }

    @Test
    void asyncRequestsAreCountedOnceWithTheirFullDuration() throws Exception {
        try (TestServer server = TestServer.start(app(true, context -> {
            ServletHolder async = new ServletHolder(new DelayedAsyncServlet(scheduler));
            async.setAsyncSupported(true);
            context.addServlet(async, "/async/*");
        }))) {
            for (String mode : List.of("complete", "dispatch", "complete", "dispatch")) {
                HttpResponse<String> response = server.get("/async/" + mode);
                assertEquals(200, response.statusCode());
                assertEquals(mode, response.body());
            }

            assertEquals(4L, jmx.await(JmxClient.metric("route./async/*.latency"), "Count", 4L));
            assertEquals(4L, jmx.await(JmxClient.metric("route./async/*.responses.2xx"), "Count", 4L));
            assertEquals(0L, jmx.await(JmxClient.metric("route./async/*.active"), "Count", 0L));
            double minMillis = (Double) jmx.attribute(JmxClient.metric("route./async/*.latency"), "Min");
            assertTrue(minMillis >= ASYNC_DELAY_MILLIS, "shortest async request took " + minMillis + " ms");
            assertEquals(4L, registry(server).timer("route./async/*.latency").getCount());
        }
    }

    @Test
    void filterFiguresExistWithoutMetricsFilter() throws Exception {
        try (TestServer server = TestServer.start(app(false, context -> { }))) {
            long sentAt = System.currentTimeMillis();
            assertEquals(500, server.get("/throw").statusCode());
            assertEquals(1L, jmx.await(JmxClient.metric("filter.exceptionHandling.calls"), "Count", 1L));
            assertEquals(1L, jmx.await(JmxClient.metric(
                    "filter.exceptionHandling.exceptions.java.lang.IllegalStateException"), "Count", 1L));
            assertTrue((Long) jmx.attribute(JmxClient.metric("filter.exceptionHandling.ownTimeTotalNanos"),
                    "Count") > 0);
            ObjectName last = JmxClient.metric("filter.exceptionHandling.lastExecution");
            Await.until("lastExecution is set", Duration.ofSeconds(10), () -> lastExecutionOf(last) != 0L);
            // the filter's work may end after the client has its answer: the bound is when the figure was seen
            long answeredAt = System.currentTimeMillis();
            long lastExecution = lastExecutionOf(last);
            // the epoch millis of the call, give or take the millisecond each reading rounds away
            assertTrue(lastExecution >= sentAt - 1 && lastExecution <= answeredAt + 1,
                    lastExecution + " not within [" + sentAt + ", " + answeredAt + "]");
            long total = (Long) jmx.attribute(JmxClient.metric("filter.exceptionHandling.ownTimeTotalNanos"),
                    "Count");
            // one call: its own time is the minimum, the maximum and the mean
            assertEquals(total, jmx.attribute(JmxClient.metric("filter.exceptionHandling.ownTimeMaxNanos"), "Value"));
            assertEquals(total, jmx.attribute(JmxClient.metric("filter.exceptionHandling.ownTimeMinNanos"), "Value"));
            assertEquals((double) total,
                    jmx.attribute(JmxClient.metric("filter.exceptionHandling.ownTimeMeanNanos"), "Value"));
            assertEquals(0, jmx.count("breakwater:type=route,*"));
        }
    }

    private static long lastExecutionOf(ObjectName name) {
        try {
            return (Long) jmx.attribute(name, "Value");
        } catch (IOException | JMException e) {
            throw new IllegalStateException(e);
        }
    }

    static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    /**
     * An app with ExceptionHandlingFilter (and MetricsFilter if asked) in front of {@code /ok} (200), {@code /fail}
     * (sets 500) and {@code /throw} (throws), plus what {@code more} adds.
     */
    static Consumer<ServletContextHandler> app(boolean withMetricsFilter, Consumer<ServletContextHandler> more) {
        return context -> {
            EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC);
            FilterHolder exceptions = new FilterHolder(ExceptionHandlingFilter.class);
            exceptions.setAsyncSupported(true);
            context.addFilter(exceptions, "/*", dispatches);
            if (withMetricsFilter) {
                FilterHolder metrics = new FilterHolder(MetricsFilter.class);
                metrics.setAsyncSupported(true);
                context.addFilter(metrics, "/*", dispatches);
            }
            context.addServlet(new ServletHolder(new StatusServlet(200)), "/ok");
            context.addServlet(new ServletHolder(new StatusServlet(500)), "/fail");
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse res) {
                    throw new IllegalStateException("boom");
                }
            }), "/throw");
            more.accept(context);
        };
    }

    /** Answers every GET with one status. */
    static final class StatusServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final int status;

        StatusServlet(int status) {
            this.status = status;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setStatus(status);
            res.getWriter().write("status " + status);
        }
    }

    /**
     * Goes async and, {@value #ASYNC_DELAY_MILLIS} ms later, either completes ({@code /async/complete}) or
     * dispatches back to itself to answer ({@code /async/dispatch}).
     */
    static final class DelayedAsyncServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient ScheduledExecutorService scheduler;

        DelayedAsyncServlet(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String mode = req.getPathInfo().substring(1);
            if (req.getDispatcherType() == DispatcherType.ASYNC) {
                res.getWriter().write(mode);
                return;
            }
            AsyncContext async = req.startAsync();
            async.setTimeout(10_000);
            scheduler.schedule(() -> {
                if (mode.equals("dispatch")) {
                    async.dispatch();
                } else {
                    try {
                        async.getResponse().getWriter().write(mode);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    async.complete();
                }
            }, ASYNC_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
