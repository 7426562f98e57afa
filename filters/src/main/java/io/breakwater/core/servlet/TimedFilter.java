package io.breakwater.core.servlet;

import io.breakwater.core.metric.FilterMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A filter of the chain whose policy runs in three steps around the rest of the chain, which this class times and
 * ends: {@link #admit} decides before the chain (let the request in with a call of its own, pass it on untouched, or
 * answer it here), the chain runs, and {@link #returned} takes its return or what it threw. The filter's own time,
 * the rest of the chain excluded, goes to {@link FilterMetrics} from four clock reads at most, the ones the policy
 * is handed ({@code start}, {@code after}), so that it reads no clock of its own. A call that is a
 * {@link RequestEnd} is ended exactly once by default, now or when the async cycle is over.
 * {@code ExceptionHandlingFilter} does not fit: its state per request (the previous MDC id, the request id, the
 * answer's count) would need an object per request to cross the steps, so it times itself. Thread-safe when the
 * policy is.
 *
 * @param <C> what one request's passage through the filter is: a breaker's call, a limit's permit, a deadline
 */
public abstract class TimedFilter<C> extends ChainFilter {
    /** What {@link #admit} returns when the filter has nothing to do for the request: the chain runs, untimed. */
    protected static final Object PASS = new Marker("pass");
    /** What {@link #admit} returns when it answered the request itself: the rest of the chain does not run. */
    protected static final Object ANSWERED = new Marker("answered");

    private FilterMetrics metrics;

    protected TimedFilter() {
        super(Dispatches.FIRST);
    }

    /** Where the filter's own time goes: set once, as it starts. */
    protected final void measureIn(FilterMetrics filterMetrics) {
        this.metrics = filterMetrics;
    }

    @Override
    protected final void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        Object admitted = admit(request, response, start);
        if (admitted == PASS || admitted == ANSWERED) {
            long end = System.nanoTime();
            metrics.record(end - start, end);
            if (admitted == PASS) {
                chain.doFilter(request, response);
            }
            return;
        }
        @SuppressWarnings("unchecked") // admit returns a C, or one of the markers just ruled out
        C call = (C) admitted;
        Throwable failure = null;
        long before = System.nanoTime();
        try {
            chain.doFilter(downstream(call, request), downstream(call, response));
        } catch (Throwable thrown) {
            failure = thrown;
        }
        long after = System.nanoTime();
        Throwable rethrown;
        try {
            rethrown = returned(call, request, response, failure, after);
        } finally {
            long end = System.nanoTime();
            metrics.record(before - start + end - after, end);
        }
        if (rethrown != null) {
            throw TimedFilter.<RuntimeException>unchecked(rethrown);
        }
    }

    /**
     * Before the chain, at {@code start} ({@code System.nanoTime()}): the request's call (a {@code C}), or
     * {@link #PASS}, or {@link #ANSWERED} once the filter answered it. Declared {@code Object}, since a marker
     * cannot be a {@code C}.
     */
    protected abstract Object admit(HttpServletRequest request, HttpServletResponse response, long start)
            throws IOException, ServletException;

    /** The request to hand down the chain for {@code call}: the filter's own, by default the one it got. */
    protected HttpServletRequest downstream(C call, HttpServletRequest request) {
        return request;
    }

    /** The response to hand down the chain for {@code call}: the filter's own, by default the one it got. */
    protected HttpServletResponse downstream(C call, HttpServletResponse response) {
        return response;
    }

    /**
     * The chain returned at {@code after} ({@code System.nanoTime()}), or threw {@code failure}; returns what the
     * container is to get thrown, or {@code null}. By default a call that is a {@link RequestEnd} ends, now or when
     * its async cycle is over, and the failure goes on.
     */
    protected Throwable returned(C call, HttpServletRequest request, HttpServletResponse response, Throwable failure,
            long after) throws IOException, ServletException {
        if (call instanceof RequestEnd) {
            ((RequestEnd) call).returned(request, response, failure, after);
        }
        return failure;
    }

    /** One of {@link #admit}'s answers that is no call; named for a debugger. */
    private static final class Marker {
        private final String name;

        Marker(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Rethrows what the chain threw as it was, checked or not: {@code doFilter} declares what the chain may throw. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable thrown) throws T {
        throw (T) thrown;
    }
}
