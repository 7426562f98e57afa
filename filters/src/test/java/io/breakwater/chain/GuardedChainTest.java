package io.breakwater.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.time.Deadline;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An app's filter joining the chain guarded from code: at its own priority, with its guard's deadline. */
@Timeout(60)
class GuardedChainTest {

    @Test
    void guardedClassJoinsAtItsPriorityWithItsOwnDeadlineAndFigures() throws Exception {
        BreakwaterChain chain = new BreakwaterChain().guarding(TenantFilter.class,
                Map.of("guardTimeout", "100ms", "tenantHeader", "X-Tenant"));
        try (TestServer server = TestServer.start(context -> {
            context.addServletContainerInitializer(chain);
            TestServlets.route(context, "/*", (request, response) -> response.getWriter().write("ok"));
        })) {
            HttpResponse<String> passed = server.get("/orders/1");
            assertEquals(200, passed.statusCode());
            // after TimeoutFilter (200), before the breaker (300): it saw the request's deadline
            assertEquals("X-Tenant deadline=true", passed.headers().firstValue("X-Tenant-Seen").orElse(null));

            HttpResponse<String> hung = server.get("/orders/1?hang=1");

            assertEquals(503, hung.statusCode());
            assertTrue(hung.body().contains("\"code\":\"TIMEOUT\""), hung.body());
            assertTrue(hung.headers().firstValue("X-Request-Id").isPresent());
            MetricRegistry metrics = (MetricRegistry) server.context().getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            assertEquals(1L, metrics.counter("filter.TenantFilter.timeouts").getCount());
            // the call is recorded once the hung filter's thread is back, after the client had its answer
            Await.until("the hung call recorded", Duration.ofSeconds(10),
                    () -> metrics.counter("filter.TenantFilter.calls").getCount() == 2);
        }
    }

    @Test
    void guardedInstanceJoinsToo() throws Exception {
        TenantFilter instance = new TenantFilter();
        BreakwaterChain chain = new BreakwaterChain().guarding(instance, Map.of("tenantHeader", "X-Org"));
        try (TestServer server = TestServer.start(context -> {
            context.addServletContainerInitializer(chain);
            TestServlets.route(context, "/*", (request, response) -> response.getWriter().write("ok"));
        })) {
            HttpResponse<String> passed = server.get("/orders/1");

            assertEquals("X-Org deadline=true", passed.headers().firstValue("X-Tenant-Seen").orElse(null));
            assertEquals(1, instance.inits);
        }
    }

    @Test
    void aGuardedFilterBehindTheRouteBreakerFailsOnItsOwnBreakerOnly() throws Exception {
        BreakwaterChain chain = new BreakwaterChain().guarding(AuditFilter.class,
                Map.of("onOpen", "skip", "optional", "true"));
        try (TestServer server = TestServer.start(context -> {
            context.setInitParameter("breakwater.minimumCalls", "2");
            context.setInitParameter("breakwater.failureRateThreshold", "50");
            context.addServletContainerInitializer(chain);
            TestServlets.route(context, "/*", (request, response) -> response.getWriter().write("ok"));
        })) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> failed = server.get("/orders/1?fail=1");
                assertEquals(500, failed.statusCode(), failed.body());
            }
            MetricRegistry metrics = (MetricRegistry) server.context().getServletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            assertEquals(State.OPEN.getOrder(), metrics.getGauges().get("filter.AuditFilter.breakerState").getValue());

            // the optional filter is skipped; the route's breaker, which saw both failures pass, is still closed
            HttpResponse<String> passed = server.get("/orders/1?fail=1");

            assertEquals(200, passed.statusCode(), passed.body());
            assertEquals("ok", passed.body());
            assertEquals(1L, metrics.counter("filter.AuditFilter.skips").getCount());
        }
    }

    /** An app's filter behind the breaker (300) that throws on {@code fail}. */
    @Priority(350)
    public static final class AuditFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request.getParameter("fail") != null) {
                throw new IllegalStateException("the audit store is down");
            }
            chain.doFilter(request, response);
        }
    }

    /** An app's filter between the timeout and the breaker; {@code hang} blocks it until interrupted. */
    @Priority(250)
    public static final class TenantFilter implements Filter {
        private String header;
        volatile int inits;

        @Override
        public void init(FilterConfig config) {
            header = config.getInitParameter("tenantHeader");
            inits++;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request.getParameter("hang") != null) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
            ((HttpServletResponse) response).setHeader("X-Tenant-Seen",
                    header + " deadline=" + (request.getAttribute(Deadline.ATTRIBUTE) != null));
            chain.doFilter(request, response);
        }
    }
}
