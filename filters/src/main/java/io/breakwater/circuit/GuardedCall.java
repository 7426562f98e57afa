package io.breakwater.circuit;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ClientGone;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.Refusal;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.NanoClock;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One call that the breaker let through, and how it ended in HTTP terms: a failure (an exception, a failure
 * status, a {@code TIMEOUT}), a success (any other answer, a 4xx among them), or neither (the client went away, or
 * the suite refused the request itself: a {@link Refusal}).
 * It reports to the breaker exactly once, when the request returns or, for an async request, when its async cycle
 * ends. Thread-safe.
 */
final class GuardedCall implements AsyncListener {
    private static final int MAX_CAUSES = 16;
    private static final Throwable FAILURE_STATUS = new CallFailure("failure status");
    private static final Throwable TIMED_OUT = new CallFailure("request timed out");

    /** A field, not an {@code AtomicBoolean}: one object fewer per request. */
    private static final AtomicIntegerFieldUpdater<GuardedCall> REPORTED =
            AtomicIntegerFieldUpdater.newUpdater(GuardedCall.class, "reported");

    private final RouteBreaker breaker;
    private final CircuitBreakerSettings settings;
    private final NanoClock clock;
    /** When the call began, on {@link #clock}. */
    private final long start;
    /** 1 once the call was reported to the breaker. */
    private volatile int reported;
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
    GuardedCall(RouteBreaker breaker, CircuitBreakerSettings settings, NanoClock clock, HttpServletRequest request,
            long start) {
        this.breaker = breaker;
        this.settings = settings;
        this.clock = clock;
        this.start = start;
        this.deadline = Deadline.of(request).orElse(null);
    }

    /** The request returned, or its async cycle completed, with this response, at {@code end} on the clock. */
    void answered(HttpServletRequest request, HttpServletResponse response, long end) {
        Deadline known = deadline != null ? deadline : Deadline.of(request).orElse(null);
        boolean expired = known != null && known.isExpired();
        int status = response.getStatus();
        // A refusal is always a 5xx; the attribute is looked up only then, off the path of a success.
        if ((expired || status >= 500) && Refusal.isMarked(request)) {
            release();
        } else if (expired) {
            fail(TIMED_OUT, end);
        } else if (settings.isFailureStatus(status)) {
            fail(FAILURE_STATUS, end);
        } else {
            succeed(end);
        }
    }

    /** The chain threw, at {@code end} on the clock. */
    void threw(Throwable thrown, long end) {
        if (ClientGone.isCause(thrown)) { // the route may be fine, so the call is not judged
            release();
        } else if (isClientError(thrown)) {
            succeed(end);
        } else {
            fail(thrown, end);
        }
    }

    /** Gives the permission back unjudged: the call said nothing about the route. */
    private void release() {
        if (REPORTED.compareAndSet(this, 0, 1)) {
            breaker.released();
        }
    }

    private void succeed(long end) {
        if (REPORTED.compareAndSet(this, 0, 1)) {
            breaker.succeeded(end - start);
        }
    }

    private void fail(Throwable failure, long end) {
        if (REPORTED.compareAndSet(this, 0, 1)) {
            breaker.failed(end - start, failure);
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        answered((HttpServletRequest) event.getSuppliedRequest(), (HttpServletResponse) event.getSuppliedResponse(),
                clock.now());
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        fail(TIMED_OUT, clock.now());
    }

    @Override
    public void onError(AsyncEvent event) {
        threw(event.getThrowable(), clock.now());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
    }

    /** A {@code BAD_REQUEST}, {@code PAYLOAD_TOO_LARGE} or the like: the client's mistake, not the route's. */
    private static boolean isClientError(Throwable thrown) {
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof BreakwaterException) {
                ErrorCode code = ((BreakwaterException) t).errorCode();
                return code.status() < 500 && !code.code().equals(ErrorCode.TIMEOUT.code());
            }
        }
        return false;
    }

    /** What the breaker records for a failed answer that threw nothing; it has no stack trace, being no bug. */
    private static final class CallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallFailure(String message) {
            super(message, null, false, false);
        }
    }
}
