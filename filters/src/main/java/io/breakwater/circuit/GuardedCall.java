package io.breakwater.circuit;

import io.breakwater.error.BreakwaterException;
import io.breakwater.error.ClientGone;
import io.breakwater.error.ErrorCode;
import io.breakwater.timeout.Deadline;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call that the breaker let through, and how it ended in HTTP terms: a failure (an exception, a failure
 * status, a {@code TIMEOUT}), a success (any other answer, a 4xx among them), or neither (the client went away).
 * It reports to the breaker exactly once, when the request returns or, for an async request, when its async cycle
 * ends. Thread-safe.
 */
final class GuardedCall implements AsyncListener {
    private static final int MAX_CAUSES = 16;
    private static final Throwable FAILURE_STATUS = new CallFailure("failure status");
    private static final Throwable TIMED_OUT = new CallFailure("request timed out");

    private final RouteBreaker breaker;
    private final CircuitBreakerSettings settings;
    private final Clock clock;
    private final Instant start;
    private final AtomicBoolean reported = new AtomicBoolean();
    /**
     * The request's deadline when the call began (TimeoutFilter runs first), or {@code null}: read then, on the
     * request's thread, rather than from the request's attribute map when an async answer completes on another
     * thread, where the lookup cost as much as the rest of the breaker's work (BENCHMARKS.md).
     */
    private final Deadline deadline;

    GuardedCall(RouteBreaker breaker, CircuitBreakerSettings settings, Clock clock, HttpServletRequest request) {
        this.breaker = breaker;
        this.settings = settings;
        this.clock = clock;
        this.start = clock.instant();
        this.deadline = Deadline.of(request).orElse(null);
    }

    /** The request returned, or its async cycle completed, with this response. */
    void answered(HttpServletRequest request, HttpServletResponse response) {
        Deadline known = deadline != null ? deadline : Deadline.of(request).orElse(null);
        if (known != null && known.isExpired()) {
            fail(TIMED_OUT);
        } else if (settings.isFailureStatus(response.getStatus())) {
            fail(FAILURE_STATUS);
        } else {
            succeed();
        }
    }

    /** The chain threw. */
    void threw(Throwable thrown) {
        if (ClientGone.isCause(thrown)) { // the route may be fine, so the call is not judged
            if (reported.compareAndSet(false, true)) {
                breaker.released();
            }
        } else if (isClientError(thrown)) {
            succeed();
        } else {
            fail(thrown);
        }
    }

    private void succeed() {
        if (reported.compareAndSet(false, true)) {
            breaker.succeeded(elapsedNanos());
        }
    }

    private void fail(Throwable failure) {
        if (reported.compareAndSet(false, true)) {
            breaker.failed(elapsedNanos(), failure);
        }
    }

    /** Measured on the breaker's clock, so that slow calls are judged on the same time as its windows. */
    private long elapsedNanos() {
        return Duration.between(start, clock.instant()).toNanos();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        answered((HttpServletRequest) event.getSuppliedRequest(), (HttpServletResponse) event.getSuppliedResponse());
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        fail(TIMED_OUT);
    }

    @Override
    public void onError(AsyncEvent event) {
        threw(event.getThrowable());
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
