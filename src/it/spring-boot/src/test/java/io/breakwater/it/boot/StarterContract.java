package io.breakwater.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.health.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a Spring Boot app gets from the starter and {@code application.yml} alone, on one embedded container: the
 * error contract, a deadline, a breaker for one Spring MVC route, the proxy failing over, the figures in
 * {@code /actuator/prometheus}, and Actuator's health going DOWN when the app drains. One app per container; the
 * drain comes last, as it is for good.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
abstract class StarterContract {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Backend first;
    private Backend second;
    private ConfigurableApplicationContext app;
    private int port;

    /** The configuration class that chooses the container, beside the app's own. */
    abstract Class<?> container();

    /** The name of the web server class Spring Boot started. */
    abstract String serverName();

    @BeforeAll
    void start() throws Exception {
        first = new Backend("first");
        second = new Backend("second");
        app = new SpringApplicationBuilder(ShopApplication.class, container())
                .run("--breakwater.proxy.backends=" + first.url() + "," + second.url());
        port = ((ServletWebServerApplicationContext) app).getWebServer().getPort();
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        first.close();
        second.close();
    }

    @Test
    @Order(1)
    void runsOnTheChosenContainer() {
        String server = ((ServletWebServerApplicationContext) app).getWebServer().getClass().getSimpleName();
        assertEquals(serverName(), server);
    }

    @Test
    @Order(2)
    void anExceptionOfAControllerIsAnswered500InTheErrorContract() throws Exception {
        HttpResponse<String> answer = get("/orders/fail-0", "X-Request-Id", "shop-42");
        assertEquals(500, answer.statusCode());
        assertEquals("application/problem+json", answer.headers().firstValue("Content-Type").orElseThrow()
                .split(";")[0]);
        assertEquals("shop-42", answer.headers().firstValue("X-Request-Id").orElseThrow());
        assertTrue(answer.body().contains("\"code\":\"INTERNAL_ERROR\""), answer.body());
        assertTrue(answer.body().contains("\"requestId\":\"shop-42\""), answer.body());
        assertTrue(!answer.body().contains("order store down"), answer.body());
    }

    @Test
    @Order(3)
    void aHandlerPastItsDeadlineIsAnswered503Timeout() throws Exception {
        HttpResponse<String> answer = get("/slow");
        assertEquals(503, answer.statusCode());
        assertTrue(answer.body().contains("\"code\":\"TIMEOUT\""), answer.body());
    }

    @Test
    @Order(4)
    void theBreakerOfTheMappingPatternOpensForThatRouteAlone() throws Exception {
        // with the one failure before, three more make the window of four all failures
        for (int i = 1; i <= 3; i++) {
            assertEquals(500, get("/orders/fail-" + i).statusCode());
        }
        HttpResponse<String> open = get("/orders/17");
        assertEquals(503, open.statusCode());
        assertTrue(open.body().contains("\"code\":\"CIRCUIT_OPEN\""), open.body());
        assertTrue(open.headers().firstValue("Retry-After").isPresent());
        // a more specific mapping is its own route, and other routes are untouched
        assertEquals(200, get("/orders/new").statusCode());
        assertEquals(200, get("/hello").statusCode());
    }

    @Test
    @Order(5)
    void theProxyFailsOverFromAKilledBackend() throws Exception {
        assertEquals(200, get("/api/items/1").statusCode());
        assertEquals(200, get("/api/items/2").statusCode());
        int before = second.requests();
        first.close();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> answer = get("/api/items/" + i);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("second", answer.headers().firstValue("X-Backend").orElseThrow());
        }
        assertEquals(before + 6, second.requests());
    }

    @Test
    @Order(6)
    void actuatorsPrometheusShowsTheFamiliesAndPassesPromtool() throws Exception {
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertEquals(200, scrape.statusCode());
        String text = scrape.body();
        // four failures and the breaker's own 503: every answer the clients got on the route
        assertTrue(text.contains("breakwater_route_responses_total{class=\"5xx\",route=\"/orders/{id}\"} 5.0"), text);
        assertTrue(text.contains("breakwater_route_responses_total{class=\"2xx\",route=\"/orders/new\"} 1.0"), text);
        assertTrue(text.contains("breakwater_route_latency_seconds_count{route=\"/orders/{id}\"} 5"), text);
        assertTrue(text.contains("breakwater_circuit_state{breaker=\"/orders/{id}\",state=\"open\"} 1.0"), text);
        assertTrue(text.contains("breakwater_circuit_state{breaker=\"/hello\",state=\"closed\"} 1.0"), text);
        assertTrue(text.contains("breakwater_proxy_backend_requests_total{backend=\"127.0.0.1:"), text);
        // Breakwater's families only: Spring's own (http_server_requests_active_seconds has no HELP) are Spring's
        StringBuilder ours = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("breakwater_") || line.startsWith("# HELP breakwater_")
                    || line.startsWith("# TYPE breakwater_")) {
                ours.append(line).append('\n');
            }
        }
        assertEquals("", promtool(ours.toString()), "promtool on:\n" + ours);
    }

    @Test
    @Order(7)
    void theMetricsPageServesBreakwatersOwnText() throws Exception {
        HttpResponse<String> own = get("/breakwater/metrics?format=prometheus");
        assertEquals(200, own.statusCode(), own.body());
        assertTrue(own.body().contains("breakwater_circuit_state{breaker=\"/orders/{id}\",state=\"open\"} 1.0"),
                own.body());
    }

    @Test
    @Order(8)
    void healthIsUpThenDownWhileTheAppDrains() throws Exception {
        HttpResponse<String> up = get("/actuator/health");
        assertEquals(200, up.statusCode(), up.body());
        assertTrue(up.body().contains("\"breakwater\":{\"status\":\"UP\"}"), up.body());

        // what the starter does when the app's context begins to close
        Readiness.drain(((ServletWebServerApplicationContext) app).getServletContext());

        HttpResponse<String> down = get("/actuator/health");
        assertEquals(503, down.statusCode(), down.body());
        assertTrue(down.body().contains(
                "\"breakwater\":{\"details\":{\"reasons\":[\"draining\"]},\"status\":\"DOWN\"}"), down.body());
        assertTrue(down.body().endsWith("\"status\":\"DOWN\"}"), down.body());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String promtool(String text) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, promtool.exitValue(), said);
        return said;
    }
}
