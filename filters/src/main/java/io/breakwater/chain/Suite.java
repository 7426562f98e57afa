package io.breakwater.chain;

import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.limit.ConcurrencyLimitFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.Filter;
import java.util.List;

/**
 * Breakwater's own filters, each with its {@link Priority}, in the order they run: the one list that the initializer
 * registers and the order check holds the chain against. Adding a filter to the suite is one line here. The first
 * entry must run first. Immutable and thread-safe.
 */
final class Suite {
    /** Where a filter with no priority stands: after every filter that has one. */
    static final int UNORDERED = Integer.MAX_VALUE;

    /** One filter of the suite and its place in the chain. */
    record Member(Class<? extends Filter> type, int priority) {
    }

    static final List<Member> MEMBERS = List.of(
            new Member(ExceptionHandlingFilter.class, Priority.EXCEPTION_HANDLING),
            new Member(ConcurrencyLimitFilter.class, Priority.CONCURRENCY_LIMIT),
            new Member(TimeoutFilter.class, Priority.TIMEOUT),
            new Member(CircuitBreakerFilter.class, Priority.CIRCUIT_BREAKER),
            new Member(MetricsFilter.class, Priority.METRICS));

    private Suite() {
    }

    /** The filter that must run first: it answers whatever the filters after it throw. */
    static Class<? extends Filter> head() {
        return MEMBERS.get(0).type();
    }

    /** Whether {@code type} is one of the suite's filters (the class itself, not a subclass). */
    static boolean contains(Class<?> type) {
        for (Member member : MEMBERS) {
            if (member.type() == type) {
                return true;
            }
        }
        return false;
    }

    /** A filter's priority: the suite's for its own filters, else its {@link Priority}, else {@link #UNORDERED}. */
    static int priorityOf(Class<?> type) {
        for (Member member : MEMBERS) {
            if (member.type() == type) {
                return member.priority();
            }
        }
        Priority priority = type.getAnnotation(Priority.class);
        return priority == null ? UNORDERED : priority.value();
    }
}
