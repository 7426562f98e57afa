package io.breakwater.core.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/** The route's figures count every answer the client got, the suite's own 503s included, each exactly once. */
class RouteAnswersTest {
    private static final Map<String, String> BREAKER =
            Map.of("windowType", "count", "windowSize", "10", "minimumCalls", "4");

    @Test
    void circuitOpenAnswersCountOnTheRouteInTheCardsOrder() throws Exception {
        assertEveryFailureAndRejectionCounted(List.of(new ExceptionHandlingFilter(), new TimeoutFilter(),
                new CircuitBreakerFilter(), new MetricsFilter()));
    }

    @Test
    void circuitOpenAnswersCountOnTheRouteWithTheBreakerFirstAndNoExceptionFilter() throws Exception {
        assertEveryFailureAndRejectionCounted(List.of(new CircuitBreakerFilter(), new MetricsFilter()));
    }

    @Test
    void circuitOpenAnswersCountOnTheRouteWithMetricsFirst() throws Exception {
        assertEveryFailureAndRejectionCounted(List.of(new MetricsFilter(), new ExceptionHandlingFilter(),
                new CircuitBreakerFilter()));
    }

    @Test
    void aTimeoutCountsOnceWhenItIsAnsweredWhileTheHandlerStillRuns() throws Exception {
        CountDownLatch handlerMayReturn = new CountDownLatch(1);
        CountDownLatch handlerReturned = new CountDownLatch(1);
        HttpServlet stubborn = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                // ignores the interrupt: the timeout's answer must not wait for this handler
                while (true) {
                    try {
                        handlerMayReturn.await();
                        break;
                    } catch (InterruptedException e) {
                        continue;
                    }
                }
                response.setStatus(200);
                handlerReturned.countDown();
            }
        };
        try (TestServer server = TestServer.start(context -> {
            context.setInitParameter("breakwater.timeout", "100ms");
            chain(context, List.of(new ExceptionHandlingFilter(), new TimeoutFilter(), new MetricsFilter()));
            context.addServlet(new ServletHolder(stubborn), "/stubborn");
        })) {
            HttpResponse<String> answer = server.get("/stubborn");
            assertEquals(503, answer.statusCode());
            assertTrue(answer.body().contains("\"code\":\"TIMEOUT\""), answer.body());
            MetricRegistry registry = registry(server);
            Await.until("the timeout counted", Duration.ofSeconds(10),
                    () -> registry.meter("route./stubborn.responses.5xx").getCount() == 1);
            assertEquals(0, registry.counter("route./stubborn.active").getCount());

            handlerMayReturn.countDown();
            assertTrue(handlerReturned.await(10, TimeUnit.SECONDS));
            assertEquals(1, registry.timer("route./stubborn.latency").getCount());
            assertEquals(1, registry.meter("route./stubborn.responses.5xx").getCount());
            assertEquals(0, registry.meter("route./stubborn.responses.2xx").getCount());
        }
    }

    private static void assertEveryFailureAndRejectionCounted(List<Filter> filters) throws Exception {
        try (TestServer server = TestServer.start(context -> {
            chain(context, filters);
            context.addServlet(new ServletHolder(new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                    response.setStatus(500);
                }
            }), "/fail");
        })) {
            for (int i = 0; i < 4; i++) {
                assertEquals(500, server.get("/fail").statusCode());
            }
            for (int i = 0; i < 7; i++) {
                HttpResponse<String> rejected = server.get("/fail");
                assertEquals(503, rejected.statusCode());
                assertTrue(rejected.body().contains("\"code\":\"CIRCUIT_OPEN\""), rejected.body());
            }
            MetricRegistry registry = registry(server);
            // the answer is on the wire before the counting filter returns: wait for the last one's count
            Await.until("every answer counted", Duration.ofSeconds(10),
                    () -> registry.counter("route./fail.active").getCount() == 0);
            assertEquals(11, registry.meter("route./fail.responses.5xx").getCount());
            assertEquals(11, registry.timer("route./fail.latency").getCount());
            assertEquals(0, registry.counter("route./fail.active").getCount());
        }
    }

    private static void chain(ServletContextHandler context, List<Filter> filters) {
        for (Filter filter : filters) {
            FilterHolder holder = new FilterHolder(filter);
            if (filter instanceof CircuitBreakerFilter) {
                holder.setInitParameters(BREAKER);
            }
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
    }

    private static MetricRegistry registry(TestServer server) {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }
}
