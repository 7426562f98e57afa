package io.breakwater.circuit.internal;

import io.breakwater.core.breaker.internal.Breaker;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.error.internal.ClientGone;
import io.breakwater.core.error.internal.ClientMistake;
import io.breakwater.core.servlet.internal.ClientConnection;
import io.breakwater.core.servlet.internal.RequestEnd;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.NanoClock;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One call that the breaker let through, and how it ended in HTTP terms: a failure (an exception, a failure
 * status, a {@code TIMEOUT}), a success (any other answer, a 4xx among them), or neither (the client went away, or
 * the suite refused the request itself: a {@link Refusal}).
 * It reports to the breaker exactly once ({@link RequestEnd}), when the request returns or, for an async request, when
 * its async cycle ends, or as soon as the cycle times out or fails: the breaker judges the failure before its answer
 * goes out. Thread-safe.
 */
public final class GuardedCall extends RequestEnd {
    private static final Throwable FAILURE_STATUS = new CallFailure("failure status");
    private static final Throwable TIMED_OUT = new CallFailure("request timed out");
    /** What the container reported when the client's connection failed during the async cycle. */
    private static final Throwable CLIENT_LEFT = new CallFailure("client went away");

    private final Breaker breaker;
    private final CircuitBreakerSettings settings;
    private final NanoClock clock;
    /** When the call began, on {@link #clock}. */
    private final long start;
    /**
     * The request's deadline when the call began (TimeoutFilter runs first), or {@code null}: read then, on the
     * request's thread, rather than from the request's attribute map when an async answer completes on another
     * thread, where the lookup cost as much as the rest of the breaker's work (BENCHMARKS.md).
     */
    private final Deadline deadline;

    /**
     * A call that began at {@code start} on {@code clock} (the breaker's clock, so that slow calls are judged on the
     * same time as its windows).
     */
    public GuardedCall(Breaker breaker, CircuitBreakerSettings settings, NanoClock clock,
            HttpServletRequest request, long start) {
        this.breaker = breaker;
        this.settings = settings;
        this.clock = clock;
        this.start = start;
        this.deadline = Deadline.of(request).orElse(null);
    }

    /** The request ended at {@code nanoTime}: with an answer, or with a failure thrown or met in its async cycle. */
    @Override
    protected void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure, long nanoTime) {
        if (failure == CLIENT_LEFT || failure != null && ClientConnection.failed(response)) {
            breaker.released(); // the route may be fine, so the call is not judged
        } else if (failure != null && Refusal.isMarked(request)) {
            breaker.released(); // a guarded filter's own failure, on its own breaker: not the route's
        } else if (failure != null) {
            threw(failure, clock.at(nanoTime));
        } else {
            answered(request, response, clock.at(nanoTime));
        }
    }

    /** The request returned, or its async cycle completed, with this response, at {@code end} on the clock. */
    private void answered(HttpServletRequest request, HttpServletResponse response, long end) {
        Deadline known = deadline != null ? deadline : Deadline.of(request).orElse(null);
        boolean expired = known != null && known.isExpired();
        int status = response.getStatus();
        // A refusal is always a 5xx; the attribute is looked up only then, off the path of a success.
        if ((expired || status >= 500) && Refusal.isMarked(request)) {
            breaker.released();
        } else if (expired) {
            breaker.failed(end - start, TIMED_OUT);
        } else if (settings.isFailureStatus(status)) {
            breaker.failed(end - start, FAILURE_STATUS);
        } else {
            breaker.succeeded(end - start);
        }
    }

    /** The chain threw, or the async cycle failed or timed out, at {@code end} on the clock. */
    private void threw(Throwable thrown, long end) {
        if (ClientMistake.isCause(thrown)) {
            breaker.succeeded(end - start);
        } else {
            breaker.failed(end - start, thrown);
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        endNow(TIMED_OUT);
    }

    @Override
    public void onError(AsyncEvent event) {
        Throwable reported = event.getThrowable();
        endNow(ClientGone.reportedByContainer(reported) ? CLIENT_LEFT : reported);
    }

    /** What the breaker records for a failed answer that threw nothing; it has no stack trace, being no bug. */
    private static final class CallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallFailure(String message) {
            super(message, null, false, false);
        }
    }
}
