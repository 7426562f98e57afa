package io.breakwater.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.breakwater.chain.ChainOrder.Link;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.limit.ConcurrencyLimitFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainOrderTest {
    private static final Link EXCEPTION_HANDLING = Link.of(ExceptionHandlingFilter.class);
    private static final Link TIMEOUT = Link.of(TimeoutFilter.class);
    private static final Link METRICS = Link.of(MetricsFilter.class);

    @Test
    void priorityOrderWithExceptionHandlingFirstIsRight() {
        assertNull(ChainOrder.problem(List.of(EXCEPTION_HANDLING, TIMEOUT, Link.of(AppFilter.class),
                Link.of(CircuitBreakerFilter.class), METRICS)));
    }

    @Test
    void exceptionHandlingNotFirstIsReported() {
        assertEquals("ExceptionHandlingFilter must be first", ChainOrder.problem(
                List.of(TIMEOUT, EXCEPTION_HANDLING)));
        assertEquals("ExceptionHandlingFilter must be first", ChainOrder.problem(
                List.of(new Link("SomeoneElsesFilter", null), EXCEPTION_HANDLING)));
    }

    @Test
    void aFilterNamedLikeTheHeadIsNotTheHead() {
        assertEquals("ExceptionHandlingFilter must be first", ChainOrder.problem(
                List.of(Link.of(ExceptionHandlingFilterLookalike.class), EXCEPTION_HANDLING)));
    }

    @Test
    void filtersOutOfPriorityOrderAreReported() {
        assertEquals("TimeoutFilter must run before MetricsFilter", ChainOrder.problem(
                List.of(EXCEPTION_HANDLING, METRICS, TIMEOUT)));
    }

    @Test
    void initializerRegistersTheConcurrencyLimitBetweenExceptionHandlingAndTimeout() {
        assertEquals(List.of("ExceptionHandlingFilter", "ConcurrencyLimitFilter", "TimeoutFilter",
                "CircuitBreakerFilter", "MetricsFilter"),
                BreakwaterInitializer.filters(null).stream().map(Class::getSimpleName).toList());
    }

    @Test
    void suitePrioritiesAreTheConstantsUsersOrderTheirFiltersBy() {
        assertEquals(List.of(Priority.EXCEPTION_HANDLING, Priority.CONCURRENCY_LIMIT, Priority.TIMEOUT,
                Priority.CIRCUIT_BREAKER, Priority.METRICS),
                BreakwaterInitializer.filters(null).stream().map(Suite::priorityOf).toList());
        assertEquals(250, Suite.priorityOf(AppFilter.class));
        assertEquals(Suite.UNORDERED, Suite.priorityOf(Unordered.class));
    }

    @Test
    void concurrencyLimitAfterTimeoutIsReported() {
        assertEquals("ConcurrencyLimitFilter must run before TimeoutFilter", ChainOrder.problem(
                List.of(EXCEPTION_HANDLING, TIMEOUT, Link.of(ConcurrencyLimitFilter.class))));
    }

    @Test
    void missingExceptionHandlingIsReported() {
        assertEquals("ExceptionHandlingFilter is missing", ChainOrder.problem(List.of(TIMEOUT)));
    }

    /** An app's filter between the timeout and the breaker. */
    @Priority(250)
    static final class AppFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
        }
    }

    /** An app's filter that has no place in the order. */
    static final class Unordered implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
        }
    }

    /** Not the suite's head, whatever its simple name says. */
    @Priority(50)
    static final class ExceptionHandlingFilterLookalike implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {
        }
    }
}
