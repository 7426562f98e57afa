package io.breakwater.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChainOrderTest {
    private static final Map<String, Integer> PRIORITIES = Map.of("ExceptionHandlingFilter", 100,
            "TimeoutFilter", 200, "CircuitBreakerFilter", 300, "MetricsFilter", 400, "AppFilter", 250);

    @Test
    void priorityOrderWithExceptionHandlingFirstIsRight() {
        assertNull(ChainOrder.problem(List.of("ExceptionHandlingFilter", "TimeoutFilter", "AppFilter",
                "CircuitBreakerFilter", "MetricsFilter"), PRIORITIES));
    }

    @Test
    void exceptionHandlingNotFirstIsReported() {
        assertEquals("ExceptionHandlingFilter must be first", ChainOrder.problem(
                List.of("TimeoutFilter", "ExceptionHandlingFilter"), PRIORITIES));
        assertEquals("ExceptionHandlingFilter must be first", ChainOrder.problem(
                List.of("SomeoneElsesFilter", "ExceptionHandlingFilter"), PRIORITIES));
    }

    @Test
    void filtersOutOfPriorityOrderAreReported() {
        assertEquals("TimeoutFilter must run before MetricsFilter", ChainOrder.problem(
                List.of("ExceptionHandlingFilter", "MetricsFilter", "TimeoutFilter"), PRIORITIES));
    }

    @Test
    void initializerRegistersTheConcurrencyLimitBetweenExceptionHandlingAndTimeout() {
        assertEquals(List.of("ExceptionHandlingFilter", "ConcurrencyLimitFilter", "TimeoutFilter",
                "CircuitBreakerFilter", "MetricsFilter"),
                BreakwaterInitializer.filters(null).stream().map(Class::getSimpleName).toList());
    }

    @Test
    void concurrencyLimitAfterTimeoutIsReported() {
        Map<String, Integer> priorities = Map.of("ExceptionHandlingFilter", 100, "ConcurrencyLimitFilter",
                ChainOrder.priorityOf(io.breakwater.limit.ConcurrencyLimitFilter.class), "TimeoutFilter", 200);
        assertEquals("ConcurrencyLimitFilter must run before TimeoutFilter", ChainOrder.problem(
                List.of("ExceptionHandlingFilter", "TimeoutFilter", "ConcurrencyLimitFilter"), priorities));
    }

    @Test
    void missingExceptionHandlingIsReported() {
        assertEquals("ExceptionHandlingFilter is missing", ChainOrder.problem(List.of("TimeoutFilter"), PRIORITIES));
    }
}
