package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.health.Readiness;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sample WAR's health and readiness, and what its undeployment leaves behind, in each container, with real
 * backends.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class WebAppLifecycleIT {
    @Parameter
    ServletContainer container;

    @Test
    void readyIs503WithAReasonWhenEveryBackendIsDownWhileHealthStays200() throws Exception {
        try (SampleWar war = SampleWar.deploy(container)) {
            HttpResponse<String> ready = war.get("/breakwater/ready");
            assertEquals(200, ready.statusCode());
            assertEquals("{\"status\":\"READY\",\"reasons\":[]}", ready.body());
            for (int i = 0; i < 3; i++) {
                war.backend(i).close();
            }
            HttpResponse<String> notReady = SampleProcess.await("readiness 503", Duration.ofSeconds(15), () -> {
                HttpResponse<String> answer = get(war, "/breakwater/ready");
                return answer.statusCode() == 503 ? answer : null;
            });
            assertEquals("{\"status\":\"NOT_READY\",\"reasons\":[\"no usable backend behind proxy \\\"proxy\\\""
                    + " (3 configured)\"]}", notReady.body());
            assertEquals("application/json;charset=utf-8", notReady.headers().firstValue("Content-Type").orElse(""));
            HttpResponse<String> health = war.get("/breakwater/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\"}", health.body());
        }
    }

    @Test
    void readinessProbesStayOutOfTheCircuitBreakerWithTheDocumentedOverride() throws Exception {
        Map<String, String> probesOutOfBreakers =
                Map.of("breakwater.failureRateThresholdOverrides", "/breakwater/*=off");
        try (SampleWar war = SampleWar.deploy(container, probesOutOfBreakers)) {
            for (int i = 0; i < 3; i++) {
                war.backend(i).close();
            }
            SampleProcess.await("readiness 503", Duration.ofSeconds(15),
                    () -> get(war, "/breakwater/ready").statusCode() == 503 ? true : null);
            // more 503 probes than the sample breaker's minimumCalls (10): still readiness answers, never CIRCUIT_OPEN
            for (int i = 0; i < 15; i++) {
                HttpResponse<String> ready = war.get("/breakwater/ready");
                assertEquals(503, ready.statusCode());
                assertTrue(ready.body().startsWith("{\"status\":\"NOT_READY\""), ready.body());
            }
        }
    }

    @Test
    void undeployLeavesNoBreakwaterThreadAndNoMBean() throws Exception {
        Set<Thread> before = breakwaterThreads();
        Set<ObjectName> mbeansBefore = breakwaterMBeans();
        try (SampleWar war = SampleWar.deploy(container)) {
            assertEquals(200, war.get("/demo/hello").statusCode());
            assertEquals(200, war.get("/orders/1").statusCode());
            assertEquals(200, war.get("/breakwater/ready").statusCode());
            Set<Thread> started = breakwaterThreads();
            started.removeAll(before);
            List<String> names = started.stream().map(Thread::getName).sorted().toList();
            assertTrue(names.stream().anyMatch(name -> name.startsWith("breakwater-timeout-")), names.toString());
            assertTrue(names.contains("breakwater-health-proxy"), names.toString());
            assertTrue(names.stream().anyMatch(name -> name.startsWith("breakwater-proxy-proxy-scheduler")),
                    names.toString());
            assertFalse(breakwaterMBeans().equals(mbeansBefore), "the deployed app publishes MBeans");

            war.undeploy();

            SampleProcess.await("every Breakwater thread ended", Duration.ofSeconds(10),
                    () -> started.stream().noneMatch(Thread::isAlive) ? true : null);
            assertEquals(before, breakwaterThreads(), "no new Breakwater thread alive after undeploy");
            assertEquals(mbeansBefore, breakwaterMBeans(), "no new MBean in domain breakwater after undeploy");
        }
    }

    @Test
    void undeployWaitsForRequestsInFlightProxiedOnesIncluded() throws Exception {
        try (SampleWar war = SampleWar.deploy(container)) {
            for (int i = 0; i < 3; i++) {
                war.backend(i).freeze();
            }
            CompletableFuture<HttpResponse<String>> proxied = sendAsync(war, "/orders/1");
            CompletableFuture<HttpResponse<String>> slow = sendAsync(war, "/demo/slow?ms=300");
            SampleProcess.await("the proxied request at a backend", Duration.ofSeconds(10),
                    () -> war.backend(0).requests() + war.backend(1).requests() + war.backend(2).requests() > 0
                            ? true : null);
            CompletableFuture<Void> undeployed = CompletableFuture.runAsync(() -> {
                try {
                    war.undeploy();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            SampleProcess.await("the app draining", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(
                    war.servletContext().getAttribute(Readiness.DRAINING_ATTRIBUTE)) ? true : null);
            assertFalse(undeployed.isDone(), "the undeploy waits for the requests in flight");
            // the proxy's try times out after 2s (the sample's tryTimeout): thaw well before
            for (int i = 0; i < 3; i++) {
                war.backend(i).thaw();
            }
            HttpResponse<String> proxiedAnswer = proxied.get(10, TimeUnit.SECONDS);
            assertEquals(200, proxiedAnswer.statusCode());
            assertTrue(proxiedAnswer.body().startsWith("b"), proxiedAnswer.body());
            HttpResponse<String> slowAnswer = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, slowAnswer.statusCode());
            assertEquals("{\"sleptMs\":300}", slowAnswer.body());
            undeployed.get(10, TimeUnit.SECONDS);
        }
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(SampleWar war, String path) {
        return war.client().sendAsync(HttpRequest.newBuilder(war.uri(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(SampleWar war, String path) {
        try {
            return war.get(path);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Set<Thread> breakwaterThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().toLowerCase().startsWith("breakwater"))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<ObjectName> breakwaterMBeans() throws Exception {
        return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("breakwater:*"), null);
    }
}
