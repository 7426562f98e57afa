package io.breakwater.limit;

import static io.breakwater.testing.TestServlets.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.internal.BreakerRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.servlet.SelfLimiting;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.health.HealthServlet;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.status.StatusServlet;
import io.breakwater.testing.Await;
import io.breakwater.testing.JsonText;
import io.breakwater.testing.TestClock;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets.Handler;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitFilterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> FIXED_4 =
            Map.of("initialConcurrencyLimit", "4", "minConcurrencyLimit", "4", "maxConcurrencyLimit", "4");

    /**
     * A servlet that holds each request until the test lets it go: {@link #entered} tells how many are inside,
     * {@link #release} lets that many out.
     */
    static final class Gate implements Handler {
        final Semaphore entered = new Semaphore(0);
        final Semaphore exits = new Semaphore(0);

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
            entered.release();
            try {
                if (!exits.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never let this request out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            response.setContentType("text/plain");
            response.getWriter().write("held");
        }

        void awaitInside(int count) throws InterruptedException {
            assertTrue(entered.tryAcquire(count, 20, TimeUnit.SECONDS), count + " requests inside the app");
        }

        void release(int count) {
            exits.release(count);
        }
    }

    /** ExceptionHandlingFilter, then the given filter with its init-params, then {@code after}'s filters. */
    static TestServer server(Filter limitFilter, Map<String, String> params, Consumer<ServletContextHandler> setup)
            throws Exception {
        return TestServer.start(context -> {
            add(context, new FilterHolder(ExceptionHandlingFilter.class), Map.of());
            add(context, new FilterHolder(limitFilter), params);
            setup.accept(context);
        });
    }

    static void add(ServletContextHandler context, FilterHolder holder, Map<String, String> params) {
        holder.setAsyncSupported(true);
        holder.setInitParameters(params);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }

    static CompletableFuture<HttpResponse<String>> send(TestServer server, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return server.client().sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    static void assertShed(HttpResponse<String> response, String instance) {
        assertEquals(503, response.statusCode());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
        assertTrue(response.body().contains("\"error\":\"Overloaded\",\"code\":\"OVERLOADED\""), response.body());
        assertTrue(response.body().endsWith("\"instance\":\"" + instance + "\"}"), response.body());
    }

    static void awaitEmpty(ConcurrencyLimitFilter filter, String after) {
        Await.until("no request in flight after " + after, WAIT, () -> filter.inFlight() == 0);
    }

    @Test
    void burstOverTheLimitShedsTheExcessWithOverloadedAndServesTheRest() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        try (TestServer server = server(filter, FIXED_4, context -> route(context, "/held/*", gate))) {
            List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                admitted.add(send(server, "/held/" + i));
            }
            gate.awaitInside(4);
            for (int i = 0; i < 3; i++) {
                assertShed(send(server, "/held/extra").get(30, TimeUnit.SECONDS), "/held/extra");
            }
            assertEquals(4, filter.inFlight());
            gate.release(4);
            for (CompletableFuture<HttpResponse<String>> response : admitted) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
                assertEquals("held", response.get().body());
            }
            awaitEmpty(filter, "the burst");
            MetricRegistry registry = registry(server);
            assertEquals(3, registry.counter("filter.concurrencyLimit.shed").getCount());
            assertEquals(3, registry.counter("route./held/*.shed").getCount());
            assertEquals(4, registry.getGauges().get("filter.concurrencyLimit.limit").getValue());
            assertEquals(0, registry.getGauges().get("filter.concurrencyLimit.inFlight").getValue());
        }
    }

    @Test
    void shedRequestsNeverReachTheBreaker() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        try (TestServer server = server(filter, FIXED_4, context -> {
            add(context, new FilterHolder(CircuitBreakerFilter.class),
                    Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "1"));
            route(context, "/held/*", gate);
        })) {
            List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                admitted.add(send(server, "/held/" + i));
            }
            gate.awaitInside(4);
            for (int i = 0; i < 5; i++) {
                assertShed(send(server, "/held/extra").get(30, TimeUnit.SECONDS), "/held/extra");
            }
            gate.release(4);
            for (CompletableFuture<HttpResponse<String>> response : admitted) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
            var breaker = BreakerRegistry.of(server.context().getServletContext()).circuitBreaker("/held/*");
            Await.until("the breaker saw the admitted calls", WAIT,
                    () -> breaker.getMetrics().getNumberOfBufferedCalls() == 4);
            assertEquals(0, breaker.getMetrics().getNumberOfFailedCalls());
            assertEquals("CLOSED", breaker.getState().name());
        }
    }

    @Test
    void probesSelfLimitingServletsAndOffPathsAreNeverShed() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        Map<String, String> params = Map.of("initialConcurrencyLimit", "1", "minConcurrencyLimit", "1",
                "maxConcurrencyLimit", "1", "concurrencyLimitPaths", "/reports/*=off");
        try (TestServer server = server(filter, params, context -> {
            route(context, "/held/*", gate);
            route(context, "/reports/*", (request, response) -> response.getWriter().write("report"));
            context.addServlet(HealthServlet.class, "/ops/health");
            context.addServlet(SelfLimitingServlet.class, "/proxied/*");
        })) {
            CompletableFuture<HttpResponse<String>> held = send(server, "/held/1");
            gate.awaitInside(1);

            assertShed(send(server, "/held/2").get(30, TimeUnit.SECONDS), "/held/2");
            HttpResponse<String> health = send(server, "/ops/health").get(30, TimeUnit.SECONDS);
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\"}", health.body());
            HttpResponse<String> report = send(server, "/reports/monthly").get(30, TimeUnit.SECONDS);
            assertEquals(200, report.statusCode());
            assertEquals("report", report.body());
            HttpResponse<String> proxied = send(server, "/proxied/1").get(30, TimeUnit.SECONDS);
            assertEquals(200, proxied.statusCode());
            assertEquals("bounded", proxied.body());

            gate.release(1);
            assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
            awaitEmpty(filter, "the probes");
        }
    }

    @Test
    void requestsHangingOnOneRouteNeverShedAnotherRoute() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        try (TestServer server = server(filter, Map.of(), context -> {
            route(context, "/slow/*", gate);
            route(context, "/hello", (request, response) -> response.getWriter().write("hello"));
        })) {
            List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                hanging.add(send(server, "/slow/" + i));
            }
            gate.awaitInside(20);
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> hello = send(server, "/hello").get(30, TimeUnit.SECONDS);
                assertEquals(200, hello.statusCode(), "request " + i + ": " + hello.body());
                assertEquals("hello", hello.body());
            }
            assertEquals(20, filter.inFlight());
            gate.release(20);
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> response : hanging) {
                HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                if (answer.statusCode() == 200) {
                    ok++;
                } else {
                    assertShed(answer, answer.uri().getPath());
                }
            }
            assertEquals(20, ok, "the hanging route sheds beyond its own share");
            awaitEmpty(filter, "the hanging requests");
            MetricRegistry registry = registry(server);
            assertEquals(20, registry.counter("route./slow/*.shed").getCount());
            assertEquals(0, registry.counter("route./hello.shed").getCount());
        }
    }

    @Test
    void whatTheLimitLearnsFromOneRoutesTimeoutsStaysOnThatRoute() throws Exception {
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        CountDownLatch never = new CountDownLatch(1);
        try (TestServer server = server(filter, Map.of(), context -> {
            add(context, new FilterHolder(TimeoutFilter.class), Map.of("timeout", "200ms"));
            route(context, "/slow/*", (request, response) -> {
                try {
                    never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            route(context, "/hello", (request, response) -> response.getWriter().write("hello"));
        })) {
            assertEquals(200, send(server, "/hello").get(30, TimeUnit.SECONDS).statusCode());
            Await.until("the slow route's timeouts lowered its own limit", WAIT, () -> {
                timeOutBesideHealthyRequests(server);
                return filter.limit("/slow/*") < 20;
            });
            assertTrue(filter.limit("/hello") >= 20, "the healthy route's limit: " + filter.limit("/hello"));
            awaitEmpty(filter, "the timed out requests");
        }
    }

    /** Twenty requests that run past their deadline on {@code /slow/*}, while {@code /hello} answers 200. */
    private static void timeOutBesideHealthyRequests(TestServer server) {
        try {
            List<CompletableFuture<HttpResponse<String>>> round = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                round.add(send(server, "/slow/" + i));
            }
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> hello = send(server, "/hello").get(30, TimeUnit.SECONDS);
                assertEquals(200, hello.statusCode(), hello.body());
            }
            for (CompletableFuture<HttpResponse<String>> response : round) {
                HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
                assertEquals(503, answer.statusCode(), answer.body());
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A servlet that bounds its own work, as the balancing proxy does. */
    public static final class SelfLimitingServlet extends HttpServlet implements SelfLimiting {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().write("bounded");
        }
    }

    @Test
    void criticalRequestsAreShedOnlyOnceCriticalOnesAloneFillTheLimit() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        Map<String, String> params = Map.of("initialConcurrencyLimit", "2", "minConcurrencyLimit", "2",
                "maxConcurrencyLimit", "2", "criticalHeader", "X-Priority=critical",
                "concurrencyLimitPaths", "/checkout/*=critical");
        try (TestServer server = server(filter, params, context -> {
            route(context, "/held/*", gate);
            route(context, "/checkout/*", gate);
        })) {
            List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
            admitted.add(send(server, "/held/1"));
            admitted.add(send(server, "/held/2"));
            gate.awaitInside(2);
            assertShed(send(server, "/held/3").get(30, TimeUnit.SECONDS), "/held/3");
            assertShed(send(server, "/held/4", "X-Priority", "high").get(30, TimeUnit.SECONDS), "/held/4");

            admitted.add(send(server, "/held/5", "X-Priority", "critical"));
            gate.awaitInside(1);
            admitted.add(send(server, "/checkout/pay"));
            gate.awaitInside(1);
            assertEquals(4, filter.inFlight());
            assertShed(send(server, "/checkout/again").get(30, TimeUnit.SECONDS), "/checkout/again");

            gate.release(4);
            for (CompletableFuture<HttpResponse<String>> response : admitted) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
            awaitEmpty(filter, "the critical requests");
        }
    }

    @Test
    void permitsComeBackAfterSyncAsyncTimedOutAndFailedRequests() throws Exception {
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        CountDownLatch never = new CountDownLatch(1);
        Map<String, String> params = Map.of("initialConcurrencyLimit", "2", "minConcurrencyLimit", "2",
                "maxConcurrencyLimit", "2");
        try (TestServer server = server(filter, params, context -> {
            add(context, new FilterHolder(TimeoutFilter.class), Map.of("timeout", "300ms"));
            route(context, "/sync", (request, response) -> response.getWriter().write("sync"));
            route(context, "/async", (request, response) -> {
                AsyncContext cycle = request.startAsync();
                cycle.start(() -> {
                    try {
                        cycle.getResponse().getWriter().write("async");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    cycle.complete();
                });
            });
            route(context, "/hang", (request, response) -> {
                try {
                    never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            route(context, "/async-hang", (request, response) -> request.startAsync());
            route(context, "/fail", (request, response) -> {
                throw new IllegalStateException("boom");
            });
        })) {
            String[][] cases = {{"/sync", "200"}, {"/async", "200"}, {"/hang", "503"}, {"/async-hang", "503"},
                {"/fail", "500"}};
            for (String[] request : cases) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> response = send(server, request[0]).get(30, TimeUnit.SECONDS);
                    assertEquals(Integer.parseInt(request[1]), response.statusCode(), request[0]);
                    awaitEmpty(filter, request[0]);
                }
            }
            assertEquals(0, registry(server).counter("filter.concurrencyLimit.shed").getCount());
        }
    }

    @Test
    void limitMovesDownWhenLatencyClimbsAndBackUpWhenItFalls() throws Exception {
        TestClock clock = new TestClock();
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter(clock);
        Map<String, String> params = Map.of("initialConcurrencyLimit", "20", "minConcurrencyLimit", "4",
                "maxConcurrencyLimit", "1000");
        try (TestServer server = server(filter, params, context -> route(context, "/held/*", gate))) {
            // Vegas learns its no-load latency from the first windows, then grows while there is no queue
            batches(server, gate, clock, Duration.ofMillis(10), 3);
            int fast = filter.limit();
            assertTrue(fast > 20, "the limit grew while latency stayed low: " + fast);

            batches(server, gate, clock, Duration.ofMillis(100), 3);
            int slow = filter.limit();
            assertTrue(slow < fast, "the limit fell when latency climbed: " + fast + " then " + slow);
            assertTrue(slow >= 4, "the limit stays above its minimum: " + slow);

            batches(server, gate, clock, Duration.ofMillis(10), 3);
            int recovered = filter.limit();
            assertTrue(recovered > slow, "the limit rose when latency fell: " + slow + " then " + recovered);
            Gauge<?> published = registry(server).getGauges().get("filter.concurrencyLimit.limit");
            assertEquals(recovered, published.getValue());
        }
    }

    /**
     * Runs {@code count} batches of 16 requests held together that take {@code latency} on the clock, with a second
     * between batches: each batch fills one of the limit's windows, which the next batch's first answer closes.
     */
    private static void batches(TestServer server, Gate gate, TestClock clock, Duration latency, int count)
            throws Exception {
        for (int batch = 0; batch < count; batch++) {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                responses.add(send(server, "/held/" + i));
            }
            gate.awaitInside(16);
            clock.advance(latency);
            gate.release(16);
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void statusPageShowsTheLimitInFlightAndShedByRoute() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        Map<String, String> params = Map.of("initialConcurrencyLimit", "1", "minConcurrencyLimit", "1",
                "maxConcurrencyLimit", "1");
        try (TestServer server = server(filter, params, context -> {
            add(context, new FilterHolder(MetricsFilter.class), Map.of());
            route(context, "/held/*", gate);
            context.addServlet(StatusServlet.class, "/ops/status");
        })) {
            CompletableFuture<HttpResponse<String>> held = send(server, "/held/1");
            gate.awaitInside(1);
            assertShed(send(server, "/held/2").get(30, TimeUnit.SECONDS), "/held/2");
            assertEquals(Map.of("limit", 1L, "inFlight", 1L, "shed", 1L), status(server).get("concurrencyLimit"));

            gate.release(1);
            assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
            awaitEmpty(filter, "the held request");
            Await.until("the route is on the status page with its shed request", WAIT, () -> {
                Object routes = status(server).get("routes");
                return routes instanceof List<?> list && list.stream().anyMatch(route -> route instanceof Map<?, ?> r
                        && "/held/*".equals(r.get("route")) && Long.valueOf(1).equals(r.get("shed")));
            });
            assertEquals(Map.of("limit", 1L, "inFlight", 0L, "shed", 1L), status(server).get("concurrencyLimit"));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> status(TestServer server) {
        try {
            HttpResponse<String> response = send(server, "/ops/status?format=json").get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            return (Map<String, Object>) JsonText.parse(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyShedIsCountedOnItsRoute() throws Exception {
        Gate gate = new Gate();
        ConcurrencyLimitFilter filter = new ConcurrencyLimitFilter();
        Map<String, String> params = Map.of("initialConcurrencyLimit", "1", "minConcurrencyLimit", "1",
                "maxConcurrencyLimit", "1");
        try (TestServer server = server(filter, params, context -> {
            route(context, "/held/*", gate);
            route(context, "/other", (request, response) -> response.getWriter().write("other"));
        })) {
            CompletableFuture<HttpResponse<String>> held = send(server, "/held/1");
            gate.awaitInside(1);
            assertShed(send(server, "/other").get(30, TimeUnit.SECONDS), "/other");
            assertShed(send(server, "/other").get(30, TimeUnit.SECONDS), "/other");
            assertShed(send(server, "/held/2").get(30, TimeUnit.SECONDS), "/held/2");
            gate.release(1);
            assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
            Map<String, Counter> counters = registry(server).getCounters();
            assertEquals(2, counters.get("route./other.shed").getCount());
            assertEquals(1, counters.get("route./held/*.shed").getCount());
        }
    }
}
