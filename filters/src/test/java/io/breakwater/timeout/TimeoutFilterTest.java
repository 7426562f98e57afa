package io.breakwater.timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.metrics.BreakwaterMetrics;
import io.breakwater.testing.TestServer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

class TimeoutFilterTest {
    private static final String TIMEOUT_BODY = "\"code\":\"TIMEOUT\"";

    /** What a test's servlet does with a request. */
    interface Handler {
        void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException;
    }

    static TestServer server(Map<String, String> timeoutParams, Consumer<ServletContextHandler> servlets)
            throws Exception {
        return TestServer.start(context -> {
            FilterHolder exceptions = new FilterHolder(ExceptionHandlingFilter.class);
            exceptions.setAsyncSupported(true);
            context.addFilter(exceptions, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            FilterHolder timeout = new FilterHolder(TimeoutFilter.class);
            timeout.setAsyncSupported(true);
            timeout.setInitParameters(timeoutParams);
            context.addFilter(timeout, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            servlets.accept(context);
        });
    }

    static void route(ServletContextHandler context, String pattern, Handler handler) {
        ServletHolder holder = new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest request, HttpServletResponse response)
                    throws IOException, ServletException {
                handler.handle(request, response);
            }
        });
        holder.setAsyncSupported(true);
        context.addServlet(holder, pattern);
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
}
