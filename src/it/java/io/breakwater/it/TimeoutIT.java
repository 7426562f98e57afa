package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sample's deadline: a handler that would take a minute is answered 503 TIMEOUT on time, interrupted, and its
 * thread goes back to the container's pool; in each container.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class TimeoutIT {
    @Parameter
    ServletContainer container;


    @Test
    void slowDemoRouteIsAnsweredTimeoutAfterTheConfiguredDeadline() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.timeout", "300ms"))) {
            long start = System.nanoTime();
            HttpResponse<String> response = sample.get("/demo/slow?ms=60000");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(503, response.statusCode());
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(response.body().contains("\"code\":\"TIMEOUT\""), response.body());
            assertTrue(elapsedMs >= 300 && elapsedMs < 1300, "answered after " + elapsedMs + " ms");
            assertEquals(200, sample.get("/demo/slow?ms=10").statusCode());
        }
    }

    @Test
    void hangingHandlerIsInterruptedAndItsThreadGoesBackToTheContainersPool() throws Exception {
        // a deadline long enough for the test to find the handler's thread on a busy host before it is interrupted
        try (SampleWar sample = SampleWar.deploy(container, Map.of("breakwater.timeout", "3s"))) {
            CompletableFuture<HttpResponse<String>> answer = sample.client().sendAsync(
                    HttpRequest.newBuilder(sample.uri("/demo/slow?ms=60000")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread handler = SampleProcess.await("the handler in SlowServlet", Duration.ofSeconds(10),
                    TimeoutIT::threadInSlowServlet);

            HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertEquals(503, response.statusCode());
            assertTrue(response.body().contains("\"code\":\"TIMEOUT\""), response.body());
            // the handler would sleep for a minute: it leaves the servlet now only because it was interrupted
            Await.until("the handler out of the web app", Duration.ofSeconds(10), () -> Arrays.stream(
                    handler.getStackTrace()).noneMatch(frame -> frame.getClassName().startsWith("io.breakwater.")));
            assertTrue(handler.isAlive(), "the container's thread lives on, back in its pool");
            assertFalse(handler.isInterrupted(), "the thread goes back to the pool with its interrupt cleared");
        }
    }

    private static Thread threadInSlowServlet() {
        return Thread.getAllStackTraces().keySet().stream().filter(TimeoutIT::inSlowServlet).findFirst()
                .orElse(null);
    }

    private static boolean inSlowServlet(Thread thread) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals("io.breakwater.sample.demo.SlowServlet"));
    }

    @Test
    void invalidDeadlineStopsTheDeploymentWithTheReadersMessage() {
        Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> SampleWar.deploy(container, Map.of("breakwater.timeout", "5 parsecs")).close());
        assertEquals("timeout must be a duration between 1ms and 1h, or off, but was \"5 parsecs\"",
                ExceptionHandlingIT.rootMessage(failure));
    }
}
