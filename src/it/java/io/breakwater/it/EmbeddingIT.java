package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.chain.BreakwaterChain;
import io.breakwater.chain.Priority;
import io.breakwater.core.error.RequestIds;
import io.breakwater.core.time.Deadline;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The suite registered from code, without web.xml, in a Jetty or a Tomcat set up in code (neither runs an
 * initializer from the app's jars there): {@link BreakwaterChain} as the context's initializer, with two filters of
 * the app's joining the order by their {@link Priority}.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class EmbeddingIT {
    private static final Map<String, HttpServlet> SERVLETS = Map.of(
            "/hello", new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    response.getWriter().write("hello");
                }
            },
            "/fail", new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                    throw new IllegalStateException("fails with a secret: hunter2");
                }
            },
            "/hang", new HttpServlet() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doGet(HttpServletRequest request, HttpServletResponse response) {
                    try {
                        TimeUnit.MINUTES.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Parameter
    ServletContainer container;

    @Test
    void chainRunsInPriorityOrderWithTheAppsFiltersBetweenTheSuites() throws Exception {
        Deployment app = embed(Map.of());
        try {
            HttpResponse<String> hello = get(app, "/hello");
            assertEquals(200, hello.statusCode());
            assertEquals("hello", hello.body());
            // EarlyProbe (50) runs before ExceptionHandlingFilter (100) gives the request its id and before
            // TimeoutFilter (200) gives it a deadline; LateProbe (250) after both
            assertEquals("early: id=false deadline=false, late: id=true deadline=true",
                    hello.headers().firstValue("X-Probe").orElseThrow());

            HttpResponse<String> fail = get(app, "/fail");
            assertEquals(500, fail.statusCode());
            assertEquals("application/problem+json", fail.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(fail.body().contains("\"code\":\"INTERNAL_ERROR\""), fail.body());
            assertTrue(!fail.body().contains("hunter2"), fail.body());
        } finally {
            app.stop();
        }
    }

    @Test
    void suiteWideConfigurationReachesTheRegisteredFilters() throws Exception {
        Deployment app = embed(Map.of("breakwater.timeout", "300ms"));
        try {
            HttpResponse<String> hang = get(app, "/hang");
            assertEquals(503, hang.statusCode());
            assertTrue(hang.body().contains("\"code\":\"TIMEOUT\""), hang.body());
        } finally {
            app.stop();
        }
    }

    @Test
    void aFilterWithoutPriorityIsRefusedWithItsName() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new BreakwaterChain(Unordered.class));
        assertEquals("io.breakwater.it.EmbeddingIT$Unordered must be a concrete Filter annotated with @Priority",
                refused.getMessage());
    }

    private Deployment embed(Map<String, String> contextParams) throws Exception {
        BreakwaterChain chain = new BreakwaterChain(LateProbe.class, EarlyProbe.class);
        return switch (container) {
            case JETTY -> JettyDeployment.inCode(chain, SERVLETS, contextParams);
            case TOMCAT -> TomcatDeployment.inCode(chain, SERVLETS, contextParams);
        };
    }

    private HttpResponse<String> get(Deployment app, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Says, in response header X-Probe, what the filters before it have done to the exchange. */
    abstract static class Probe implements Filter {
        private final String name;

        Probe(String name) {
            this.name = name;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletResponse http = (HttpServletResponse) response;
            String seen = name + ": id=" + http.containsHeader(RequestIds.HEADER)
                    + " deadline=" + (request.getAttribute(Deadline.ATTRIBUTE) != null);
            String before = http.getHeader("X-Probe");
            http.setHeader("X-Probe", before == null ? seen : before + ", " + seen);
            chain.doFilter(request, response);
        }
    }

    @Priority(50)
    public static final class EarlyProbe extends Probe {
        public EarlyProbe() {
            super("early");
        }
    }

    @Priority(250)
    public static final class LateProbe extends Probe {
        public LateProbe() {
            super("late");
        }
    }

    public static final class Unordered extends Probe {
        public Unordered() {
            super("unordered");
        }
    }
}
