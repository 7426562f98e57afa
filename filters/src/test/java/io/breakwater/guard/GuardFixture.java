package io.breakwater.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.TestClock;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

/**
 * A real server with {@code ExceptionHandlingFilter} first, then a {@link GuardedFilter} named {@code auth} around a
 * {@link ScriptedFilter}, in front of {@code /app/*}: a servlet that answers {@code ok}, throws on
 * {@code downstream=throw} (a checked exception it does not declare on {@code downstream=sneaky}) or takes
 * {@code downstreamMs} first. The guard's breaker judges after 2 calls and waits 10s on a test clock. Close it to
 * stop the server.
 */
final class GuardFixture implements AutoCloseable {
    static final String NAME = "auth";

    final TestClock clock = new TestClock();
    final ScriptedFilter filter = new ScriptedFilter();
    final AtomicInteger servletCalls = new AtomicInteger();
    final GuardedFilter guard;
    final TestServer server;

    private GuardFixture(Map<String, String> params, GuardedFilter guard) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("guardTimeout", "200ms");
        all.put("minimumCalls", "2");
        all.put("failureRateThreshold", "50");
        all.put("waitInOpen", "10s");
        all.put("halfOpenCalls", "1");
        all.putAll(params);
        this.guard = guard != null ? guard : new GuardedFilter(filter, clock);
        server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            FilterHolder holder = new FilterHolder(this.guard);
            holder.setName(NAME);
            holder.setInitParameters(all);
            context.addFilter(holder, "/app/*", EnumSet.of(DispatcherType.REQUEST));
            TestServlets.route(context, "/app/*", (request, response) -> {
                servletCalls.incrementAndGet();
                if ("throw".equals(request.getParameter("downstream"))) {
                    throw new IllegalArgumentException("the route's own bug");
                }
                if ("sneaky".equals(request.getParameter("downstream"))) {
                    throw ScriptedFilter.<RuntimeException>undeclared(new Exception("the route's undeclared failure"));
                }
                String ms = request.getParameter("downstreamMs");
                if (ms != null) {
                    try {
                        Thread.sleep(Long.parseLong(ms)); // the route's slow work, not the test's synchronisation
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                response.getWriter().write("ok");
            });
        });
    }

    static GuardFixture start(Map<String, String> params) throws Exception {
        return new GuardFixture(params, null);
    }

    /** Around a guard made by the test (from a class name, for example). */
    static GuardFixture start(Map<String, String> params, Filter guard) throws Exception {
        return new GuardFixture(params, (GuardedFilter) guard);
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return server.get(pathAndQuery);
    }

    MetricRegistry metrics() {
        return (MetricRegistry) server.context().getServletContext()
                .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
    }

    long count(String figure) {
        return metrics().counter("filter." + NAME + "." + figure).getCount();
    }

    Object gauge(String figure) {
        return metrics().getGauges().get("filter." + NAME + "." + figure).getValue();
    }

    static void assertAnswer(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
    }

    @Override
    public void close() {
        server.close();
    }
}
