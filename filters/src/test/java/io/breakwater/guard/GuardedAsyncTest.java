package io.breakwater.guard;

import static io.breakwater.guard.GuardFixture.assertAnswer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.health.DrainFilter;
import io.breakwater.limit.ConcurrencyLimitFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestClock;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A guarded filter that runs past its own deadline after the rest of the chain started an async cycle. */
@Timeout(60)
class GuardedAsyncTest {

    @Test
    void filterHangingAfterTheChainStartedAsyncEndsTheCycleAndEverythingReturnsToRest() throws Exception {
        ScriptedFilter scripted = new ScriptedFilter();
        DrainFilter drain = new DrainFilter();
        try (TestServer server = TestServer.start(context -> {
            add(context, drain, Map.of());
            add(context, new ExceptionHandlingFilter(), Map.of());
            add(context, new MetricsFilter(), Map.of());
            add(context, new ConcurrencyLimitFilter(), Map.of());
            add(context, new GuardedFilter(scripted, new TestClock()), Map.of("guardTimeout", "200ms"));
            // an async cycle the app never completes, nor lets the container time out
            TestServlets.route(context, "/app/*", (request, response) -> {
                AsyncContext cycle = request.startAsync();
                cycle.setTimeout(0);
            });
        })) {
            HttpResponse<String> response = server.get("/app/x?after=hang");

            assertAnswer(response, 503, "TIMEOUT");
            assertEquals("close", response.headers().firstValue("Connection").orElse(null));
            assertFalse(scripted.lateWriteWent.get(10, TimeUnit.SECONDS));
            MetricRegistry registry = (MetricRegistry) server.context().getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            Await.until("the route's request ended", Duration.ofSeconds(10),
                    () -> registry.counter("route./app/*.active").getCount() == 0);
            Await.until("the concurrency limit's permit returned", Duration.ofSeconds(10),
                    () -> Integer.valueOf(0).equals(
                            registry.getGauges().get("filter.concurrencyLimit.inFlight").getValue()));
            Await.until("the drain count back to zero", Duration.ofSeconds(10), () -> drain.inFlight() == 0);
            assertEquals(1L, registry.counter("filter.auth.timeouts").getCount());
            assertEquals(1L, registry.timer("route./app/*.latency").getCount());
        }
    }

    private static void add(ServletContextHandler context, Filter filter, Map<String, String> params) {
        FilterHolder holder = new FilterHolder(filter);
        if (filter instanceof GuardedFilter) {
            holder.setName(GuardFixture.NAME);
        }
        holder.setInitParameters(params);
        holder.setAsyncSupported(true);
        context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
}
