package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The sample WAR's health and readiness, and what its undeployment leaves behind: a real Jetty, real backends. */
class WebAppLifecycleIT {

    @Test
    void readyIs503WithAReasonWhenEveryBackendIsDownWhileHealthStays200() throws Exception {
        try (SampleWar war = SampleWar.deploy()) {
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
    void readinessProbesStayOutOfTheCircuitBreaker() throws Exception {
        try (SampleWar war = SampleWar.deploy()) {
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
        try (SampleWar war = SampleWar.deploy()) {
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

            war.webapp().stop();

            SampleProcess.await("every Breakwater thread ended", Duration.ofSeconds(10),
                    () -> started.stream().noneMatch(Thread::isAlive) ? true : null);
            assertEquals(before, breakwaterThreads(), "no new Breakwater thread alive after undeploy");
            assertEquals(mbeansBefore, breakwaterMBeans(), "no new MBean in domain breakwater after undeploy");
        }
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
