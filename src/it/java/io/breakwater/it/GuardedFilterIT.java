package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.BreakwaterChain;
import io.breakwater.chain.Priority;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.time.Deadline;
import io.breakwater.testing.Await;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sample's guarded {@code ProfileFilter} ({@code web.xml}: {@code GuardedFilter} with {@code filter=...},
 * {@code guardTimeout=1s}, a breaker that judges after 4 calls), in each container: the filter's own hang, before or
 * after the route, is answered TIMEOUT; its failures open its breaker, which then fails fast while the rest of the app
 * answers; the route's own slowness and failures never count against the filter.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
@Timeout(180)
class GuardedFilterIT {
    @Parameter
    ServletContainer container;

    @Test
    void filterHangingBeforeOrAfterTheRouteIsAnsweredTimeoutWhileTheAppAnswers() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            assertProblem(sample.get("/demo/guarded/x?delayMs=60000"), 503, "TIMEOUT");
            assertEquals(200, sample.get("/demo/hello").statusCode());

            HttpResponse<String> after = sample.get("/demo/guarded/x?afterMs=60000");

            assertProblem(after, 503, "TIMEOUT");
            assertFalse(after.body().contains("\"route\":\"guarded\""), after.body());
            Await.until("both timeouts counted", Duration.ofSeconds(10),
                    () -> prometheus(sample).contains("breakwater_filter_timeouts_total{filter=\"profile\"} 2.0\n"));
        }
    }

    @Test
    void failingFilterOpensItsBreakerAndFailsFastWhileTheRestOfTheAppAnswers() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            HttpResponse<String> passed = sample.get("/demo/guarded/x");
            assertEquals(200, passed.statusCode());
            // profileHeader, not one of the guard's parameters, reached the filter
            assertEquals("demo", passed.headers().firstValue("X-Demo-Profile").orElse(null));
            // with the success above, the fourth call: 3 failures in 4, over the threshold of 50 %
            for (int i = 0; i < 3; i++) {
                assertProblem(sample.get("/demo/guarded/x?fail=true"), 500, "INTERNAL_ERROR");
            }

            HttpResponse<String> rejected = sample.get("/demo/guarded/x");

            assertProblem(rejected, 503, "CIRCUIT_OPEN");
            assertEquals("10", rejected.headers().firstValue("Retry-After").orElse(null));
            assertEquals(200, sample.get("/demo/hello").statusCode());
            String text = prometheus(sample);
            assertTrue(text.contains("breakwater_filter_breaker_state{filter=\"profile\",state=\"open\"} 1.0\n"),
                    text);
            assertTrue(text.contains("breakwater_filter_failures_total{exception=\"java.io.IOException\","
                    + "filter=\"profile\"} 3.0\n"), text);
            assertTrue(text.contains("breakwater_filter_rejections_total{filter=\"profile\"} 1.0\n"), text);
            // the route's breaker did not count the filter's failures as the route's: they were not the route's
            assertFalse(text.contains("breakwater_circuit_state{breaker=\"/demo/guarded/*\",state=\"open\"} 1.0"),
                    text);
            Promtool.assertSaysNothing(text);
        }
    }

    @Test
    void routesSlownessAndFailuresNeverCountAgainstTheFilter() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            assertEquals(200, sample.get("/demo/guarded/x?routeMs=1500").statusCode());
            for (int i = 0; i < 5; i++) {
                assertProblem(sample.get("/demo/guarded/x?routeFail=true"), 500, "INTERNAL_ERROR");
            }

            assertEquals(200, sample.get("/demo/guarded/x").statusCode());
            String text = prometheus(sample);
            assertTrue(text.contains("breakwater_filter_breaker_state{filter=\"profile\",state=\"closed\"} 1.0\n"),
                    text);
            assertFalse(text.contains("breakwater_filter_failures_total{exception=\"java.lang.IllegalStateException\","
                    + "filter=\"profile\""), text);
            assertTrue(text.contains("breakwater_filter_timeouts_total{filter=\"profile\"} 0.0\n"), text);
        }
    }

    @Test
    void skipWithoutOptionalStopsTheDeploymentWithTheReadersMessage() {
        Exception failure = assertThrows(Exception.class,
                () -> SampleWar.deploy(container, Map.of("breakwater.onOpen", "skip")).close());
        assertEquals("onOpen must be fail unless optional is true, but was \"skip\"",
                ExceptionHandlingIT.rootMessage(failure));
    }

    @Test
    void filterGuardedFromCodeKeepsItsPriorityAndGetsItsDeadlineAndBreaker() throws Exception {
        BreakwaterChain chain = new BreakwaterChain().guarding(AuthProbe.class,
                Map.of("guardTimeout", "300ms", "minimumCalls", "2", "realm", "acme"));
        Map<String, HttpServlet> servlets = Map.of("/hello", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.getWriter().write("hello");
            }
        });
        Deployment app = switch (container) {
            case JETTY -> JettyDeployment.inCode(chain, servlets, Map.of());
            case TOMCAT -> TomcatDeployment.inCode(chain, servlets, Map.of());
        };
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI hello = URI.create("http://127.0.0.1:" + app.port() + "/hello");
            HttpResponse<String> passed = client.send(HttpRequest.newBuilder(hello).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, passed.statusCode());
            // its own init-param reached it, and it ran after TimeoutFilter (200), at its own priority (250)
            assertEquals("realm=acme deadline=true", passed.headers().firstValue("X-Auth").orElse(null));

            assertProblem(client.send(HttpRequest.newBuilder(URI.create(hello + "?hang=1")).build(),
                    HttpResponse.BodyHandlers.ofString()), 503, "TIMEOUT");
            MetricRegistry metrics = (MetricRegistry) app.servletContext()
                    .getAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE);
            // one success and one timeout in a window of two: the breaker hears of the timeout once the hung
            // filter's thread is back, after the client had its answer
            Await.until("the guard's breaker open", Duration.ofSeconds(10), () -> Integer.valueOf(
                    CircuitBreaker.State.OPEN.getOrder()).equals(
                    metrics.getGauges().get("filter.AuthProbe.breakerState").getValue()));

            HttpResponse<String> rejected = client.send(HttpRequest.newBuilder(hello).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(rejected, 503, "CIRCUIT_OPEN");
            assertEquals("10", rejected.headers().firstValue("Retry-After").orElse(null));
        } finally {
            app.stop();
        }
    }

    /** An app's authentication filter after the request's deadline is set; {@code ?hang=1} blocks it. */
    @Priority(250)
    public static final class AuthProbe implements Filter {
        private String realm;

        @Override
        public void init(FilterConfig config) {
            realm = config.getInitParameter("realm");
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request.getParameter("hang") != null) {
                try {
                    new CountDownLatch(1).await(); // an identity server that never answers
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
            ((HttpServletResponse) response).setHeader("X-Auth", "realm=" + realm + " deadline="
                    + (request.getAttribute(Deadline.ATTRIBUTE) != null));
            chain.doFilter(request, response);
        }
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertTrue(response.body().contains("\"code\":\"" + code + "\""), response.body());
    }

    private static String prometheus(SampleWar sample) {
        try {
            return sample.send(HttpRequest.newBuilder(sample.uri("/breakwater/metrics"))
                    .header("Accept", "text/plain;version=0.0.4").build()).body();
        } catch (Exception e) {
            throw new IllegalStateException("could not scrape the sample", e);
        }
    }
}
