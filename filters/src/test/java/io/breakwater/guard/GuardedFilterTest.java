package io.breakwater.guard;

import static io.breakwater.guard.GuardFixture.NAME;
import static io.breakwater.guard.GuardFixture.assertAnswer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.breaker.internal.CircuitBreakerControlMBean;
import io.breakwater.core.metric.internal.Jmx;
import io.breakwater.core.status.internal.BreakerView;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.testing.Await;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(60)
class GuardedFilterTest {

    @Test
    void filterHangingBeforeTheChainIsAnsweredTimeoutAndItsLateWriteIsDropped() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            HttpResponse<String> response = fixture.get("/app/x?before=hang");

            assertAnswer(response, 503, "TIMEOUT");
            assertEquals("close", response.headers().firstValue("Connection").orElse(null));
            assertFalse(fixture.filter.lateWriteWent.get(10, TimeUnit.SECONDS));
            assertEquals(0, fixture.servletCalls.get());
            assertEquals(1L, fixture.count("timeouts"));
            // the call is recorded once the hung filter's thread is back, after the client had its answer
            Await.until("the hung call recorded", Duration.ofSeconds(10),
                    () -> fixture.metrics().meter("filter.auth.outcomes.failure").getCount() == 1);
            assertEquals(1L, fixture.count("calls"));
        }
    }

    @Test
    void filterHangingAfterTheChainIsAnsweredTimeoutInPlaceOfTheRoutesAnswer() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            HttpResponse<String> response = fixture.get("/app/x?after=hang");

            assertAnswer(response, 503, "TIMEOUT");
            assertFalse(response.body().contains("ok"), response.body());
            assertFalse(fixture.filter.lateWriteWent.get(10, TimeUnit.SECONDS));
            assertEquals(1, fixture.servletCalls.get());
            assertEquals(1L, fixture.count("timeouts"));
        }
    }

    @Test
    void slowDownstreamWorkNeverCountsAgainstTheFiltersDeadline() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("guardTimeout", "100ms"))) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = fixture.get("/app/x?downstreamMs=300");

                assertEquals(200, response.statusCode(), response.body());
                assertEquals("ok", response.body());
                assertEquals("before", response.headers().firstValue("X-Scripted").orElse(null));
            }
            assertEquals(0L, fixture.count("timeouts"));
            assertEquals(3L, fixture.count("calls"));
            // own time excludes the 300ms the route took each time
            assertTrue(fixture.count("ownTimeTotalNanos") < TimeUnit.MILLISECONDS.toNanos(300),
                    "own time " + fixture.count("ownTimeTotalNanos"));
            assertEquals(State.CLOSED.getOrder(), fixture.gauge("breakerState"));
            assertEquals(3L, fixture.metrics().meter("filter.auth.outcomes.success").getCount());
        }
    }

    /**
     * The filter's deadline is armed once, due when its own time would run out had nothing run downstream; the
     * chain's time makes it come early, during the chain (700 ms in, 1,200 ms downstream) or during the filter's
     * work after it (1,000 ms in, 300 ms into 700 ms of it). Either way the filter keeps its whole second of own time.
     */
    @ParameterizedTest
    @CsvSource({"1200, 500", "700, 700"})
    void aDeadlineThatComesEarlyLeavesTheFilterItsWholeOwnTime(int downstreamMs, int afterMs) throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("guardTimeout", "1s"))) {
            HttpResponse<String> response = fixture.get("/app/x?downstreamMs=" + downstreamMs + "&afterMs=" + afterMs);

            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
            assertEquals(0L, fixture.count("timeouts"));
            long own = fixture.count("ownTimeTotalNanos");
            assertTrue(own >= TimeUnit.MILLISECONDS.toNanos(afterMs) && own < TimeUnit.SECONDS.toNanos(1),
                    "own time " + own);
        }
    }

    @Test
    void aFilterThatWorksPastItsOwnTimeAfterALongChainTimesOut() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("guardTimeout", "300ms"))) {
            HttpResponse<String> response = fixture.get("/app/x?downstreamMs=500&after=hang");

            assertAnswer(response, 503, "TIMEOUT");
            assertEquals(1, fixture.servletCalls.get());
            assertEquals(1L, fixture.count("timeouts"));
            assertFalse(fixture.filter.lateWriteWent.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void downstreamFailurePassesThroughUnjudgedAndTheFiltersBreakerStaysClosed() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertAnswer(fixture.get("/app/x?downstream=throw"), 500, "INTERNAL_ERROR");
            }

            assertEquals(5, fixture.servletCalls.get());
            assertEquals(State.CLOSED.getOrder(), fixture.gauge("breakerState"));
            assertTrue(fixture.metrics().getCounters().keySet().stream()
                    .noneMatch(key -> key.startsWith("filter.auth.failures.")));
            assertEquals(0L, fixture.metrics().meter("filter.auth.outcomes.failure").getCount());
            assertEquals(200, fixture.get("/app/x").statusCode());
        }
    }

    @Test
    void malformedRequestTheFilterReadsIsTheClientsAndNeverOpensTheFiltersBreaker() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            for (int i = 0; i < 3; i++) {
                // the filter reads its parameters: the container rejects the form body it cannot decode
                HttpResponse<String> response = fixture.server.send(HttpRequest.newBuilder(fixture.server.uri("/app/x"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=%zz")).build());
                assertAnswer(response, 400, "BAD_REQUEST");
            }

            assertEquals(3, fixture.filter.calls.get());
            assertEquals(State.CLOSED.getOrder(), fixture.gauge("breakerState"));
            assertEquals(0L, fixture.metrics().meter("filter.auth.outcomes.failure").getCount());
            assertEquals(3L, fixture.metrics().meter("filter.auth.outcomes.success").getCount());
            assertEquals(200, fixture.get("/app/x").statusCode());
        }
    }

    @Test
    void filterThatThrowsOpensItsBreakerAndAMandatoryFilterThenFailsFastWithCircuitOpen() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            assertAnswer(fixture.get("/app/x?before=throw"), 500, "INTERNAL_ERROR");
            assertAnswer(fixture.get("/app/x?before=throw"), 500, "INTERNAL_ERROR");

            HttpResponse<String> rejected = fixture.get("/app/x");

            assertAnswer(rejected, 503, "CIRCUIT_OPEN");
            assertEquals("10", rejected.headers().firstValue("Retry-After").orElse(null));
            assertEquals(2, fixture.filter.calls.get());
            assertEquals(0, fixture.servletCalls.get());
            assertEquals(2L, fixture.count("failures.java.lang.IllegalStateException"));
            assertEquals(1L, fixture.count("rejections"));
            assertEquals(State.OPEN.getOrder(), fixture.gauge("breakerState"));
            assertEquals(100.0f, fixture.metrics().getGauges().get("circuit.auth.failureRate").getValue());
        }
    }

    @Test
    void filterWithoutADeadlineIsStillTimedAndJudged() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("guardTimeout", "off"))) {
            HttpResponse<String> passed = fixture.get("/app/x");

            assertEquals(200, passed.statusCode(), passed.body());
            assertEquals("ok", passed.body());
            assertEquals("before", passed.headers().firstValue("X-Scripted").orElse(null));
            // the route's failure passes unjudged; the filter's own is its failure, the second call judged: 1 in 2
            assertAnswer(fixture.get("/app/x?downstream=throw"), 500, "INTERNAL_ERROR");
            assertAnswer(fixture.get("/app/x?before=throw"), 500, "INTERNAL_ERROR");
            assertEquals(2, fixture.servletCalls.get());
            assertEquals(3L, fixture.count("calls"));
            assertEquals(1L, fixture.count("failures.java.lang.IllegalStateException"));
            assertEquals(1L, fixture.metrics().meter("filter.auth.outcomes.success").getCount());
            assertEquals(1L, fixture.metrics().meter("filter.auth.outcomes.failure").getCount());
            assertEquals(State.OPEN.getOrder(), fixture.gauge("breakerState"));
        }
    }

    @Test
    void checkedExceptionsThrownUndeclaredEndTheCallAndAreJudgedLikeAnyOther() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            assertAnswer(fixture.get("/app/x?downstream=sneaky"), 500, "INTERNAL_ERROR");
            assertAnswer(fixture.get("/app/x?before=sneaky"), 500, "INTERNAL_ERROR");

            assertEquals(2L, fixture.count("calls"));
            assertEquals(1L, fixture.count("failures.java.security.GeneralSecurityException"));
            assertEquals(1L, fixture.metrics().meter("filter.auth.outcomes.failure").getCount());
            assertEquals(0L, fixture.metrics().meter("filter.auth.outcomes.success").getCount());
            assertEquals(0L, fixture.count("timeouts"));
            assertEquals(1, fixture.servletCalls.get());
        }
    }

    @Test
    void halfOpenProbeThatPassesClosesTheBreaker() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            fixture.get("/app/x?before=throw");
            fixture.get("/app/x?before=throw");
            assertAnswer(fixture.get("/app/x"), 503, "CIRCUIT_OPEN");

            fixture.clock.advance(Duration.ofSeconds(10).plusMillis(1));

            assertEquals(200, fixture.get("/app/x").statusCode());
            assertEquals(State.CLOSED.getOrder(), fixture.gauge("breakerState"));
            assertEquals(200, fixture.get("/app/x").statusCode());
        }
    }

    @Test
    void optionalFilterIsSkippedWhileItsBreakerIsOpen() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("onOpen", "skip", "optional", "true"))) {
            fixture.get("/app/x?before=throw");
            fixture.get("/app/x?before=throw");

            HttpResponse<String> skipped = fixture.get("/app/x?before=throw");

            assertEquals(200, skipped.statusCode(), skipped.body());
            assertEquals("ok", skipped.body());
            assertNull(skipped.headers().firstValue("X-Scripted").orElse(null));
            assertEquals(2, fixture.filter.calls.get());
            assertEquals(1L, fixture.count("skips"));
            assertEquals(0L, fixture.count("rejections"));
        }
    }

    @Test
    void filterTimeoutsOpenTheBreakerToo() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of("guardTimeout", "50ms"))) {
            assertAnswer(fixture.get("/app/x?before=hang"), 503, "TIMEOUT");
            assertAnswer(fixture.get("/app/x?after=hang"), 503, "TIMEOUT");
            // the breaker hears of a timeout once the hung filter's thread is back, after the client had its answer
            Await.until("the breaker open", Duration.ofSeconds(10),
                    () -> fixture.gauge("breakerState").equals(State.OPEN.getOrder()));

            assertAnswer(fixture.get("/app/x"), 503, "CIRCUIT_OPEN");
            assertEquals(2L, fixture.count("timeouts"));
        }
    }

    @Test
    void jmxControlsAndTheStatusRowAreThoseOfAnyBreaker() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            CircuitBreakerControlMBean control = JMX.newMBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                    Jmx.name(fixture.server.context().getServletContext(), "CircuitBreaker", NAME),
                    CircuitBreakerControlMBean.class);

            control.forceOpen();
            assertAnswer(fixture.get("/app/x"), 503, "CIRCUIT_OPEN");
            assertEquals("FORCED_OPEN", control.getState());
            List<BreakerView> rows = StatusSources.of(fixture.server.context().getServletContext()).breakers();
            assertEquals(List.of(NAME), rows.stream().map(BreakerView::name).toList());
            assertEquals("FORCED_OPEN", rows.get(0).state());

            control.reset();
            assertEquals(200, fixture.get("/app/x").statusCode());
            assertEquals("CLOSED", control.getState());
            control.disable();
            fixture.get("/app/x?before=throw");
            fixture.get("/app/x?before=throw");
            assertEquals(200, fixture.get("/app/x").statusCode());
            assertEquals(200.0f / 3, control.getFailureRate(), 0.001f); // two failures and one success recorded
        }
    }

    @Test
    void lastExecutionAndOwnTimeExtremesAreFilterFigures() throws Exception {
        try (GuardFixture fixture = GuardFixture.start(Map.of())) {
            assertEquals(0L, fixture.gauge("lastExecution"));
            long before = System.currentTimeMillis();

            fixture.get("/app/x");

            long last = (Long) fixture.gauge("lastExecution");
            assertTrue(last >= before - 1000, "last execution " + last + " before " + before);
            assertTrue((Long) fixture.gauge("ownTimeMaxNanos") > 0);
            assertTrue((Double) fixture.gauge("ownTimeMeanNanos") > 0);
        }
    }
}
