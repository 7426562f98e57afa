package io.breakwater.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.it.containers.OnTomcat;
import io.breakwater.it.own.OwnTimeoutFilter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** A filter turned off is not registered; a filter the app registers itself is the app's, not the starter's. */
@Timeout(60)
class SwitchesIT {

    @Test
    void aFilterTurnedOffIsGoneAndTheAppsOwnRegistrationWins() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ShopApplication.class,
                OnTomcat.class, OwnTimeoutFilter.class).run("--breakwater.filters.circuit-breaker.enabled=false",
                        "--breakwater.proxy.backends=http://127.0.0.1:9")) {
            assertFalse(app.containsBean("breakwaterCircuitBreakerFilter"));
            assertFalse(app.containsBean("breakwaterTimeoutFilter"));
            assertTrue(app.containsBean("appTimeoutFilter"));
            assertTrue(app.containsBean("breakwaterExceptionHandlingFilter"));
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + ((ServletWebServerApplicationContext) app).getWebServer().getPort();

            // no breaker: every failure reaches the handler, well past the window of four
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> failed = client.send(HttpRequest.newBuilder(URI.create(base + "/orders/fail-" + i))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(500, failed.statusCode());
                assertTrue(failed.body().contains("\"code\":\"INTERNAL_ERROR\""), failed.body());
            }
            // the app's own TimeoutFilter still gives /slow its deadline
            HttpResponse<String> slow = client.send(HttpRequest.newBuilder(URI.create(base + "/slow"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, slow.statusCode());
            assertTrue(slow.body().contains("\"code\":\"TIMEOUT\""), slow.body());
        }
    }
}
