package io.breakwater.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.testing.Await;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an operator sees of the sample WAR in each container: its routes' figures in the platform MBean server, and
 * its log lines, stack traces included, in java.util.logging (the WAR's SLF4J provider), where Tomcat logs.
 */
@ParameterizedClass
@EnumSource(ServletContainer.class)
class ObservabilityIT {
    private static final MBeanServer MBEANS = ManagementFactory.getPlatformMBeanServer();

    @Parameter
    ServletContainer container;

    @Test
    void routeLatencyTimerCountsEveryAnswerInThePlatformMBeanServer() throws Exception {
        try (SampleWar sample = SampleWar.deploy(container)) {
            for (int i = 0; i < 7; i++) {
                assertEquals(200, sample.get("/demo/hello").statusCode());
            }
            ObjectName timer = new ObjectName("breakwater:type=route,context=\"ROOT\","
                    + "name=\"route./demo/hello.latency\"");
            // the answer reaches the client before the filter's last count moves
            Await.until("7 requests counted", Duration.ofSeconds(10),
                    () -> Long.valueOf(7).equals(count(timer)));
        }
    }

    @Test
    void failureIsLoggedWithItsRequestIdAndStackTraceInJavaUtilLogging() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger breakwater = Logger.getLogger("io.breakwater");
        breakwater.addHandler(capture);
        try (SampleWar sample = SampleWar.deploy(container,
                Map.of("breakwater.failureRateThresholdOverrides", "/demo/fail=off"))) {
            HttpResponse<String> response = sample.send(HttpRequest.newBuilder(sample.uri("/demo/fail"))
                    .header("X-Request-Id", "logged-" + container).build());
            assertEquals(500, response.statusCode());

            Await.until("the failure's log line", Duration.ofSeconds(10), () -> records.stream()
                    .anyMatch(record -> record.getMessage().contains("requestId=logged-" + container)));
            LogRecord logged = records.stream()
                    .filter(record -> record.getMessage().contains("requestId=logged-" + container))
                    .findFirst().orElseThrow();
            assertEquals(Level.SEVERE, logged.getLevel());
            assertEquals("io.breakwater.exception.ExceptionHandlingFilter", logged.getLoggerName());
            assertTrue(logged.getThrown() instanceof IllegalStateException, String.valueOf(logged.getThrown()));
            assertEquals("io.breakwater.sample.demo.FailServlet",
                    logged.getThrown().getStackTrace()[0].getClassName());
        } finally {
            breakwater.removeHandler(capture);
        }
    }

    private static Long count(ObjectName name) {
        try {
            return MBEANS.isRegistered(name) ? (Long) MBEANS.getAttribute(name, "Count") : null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
