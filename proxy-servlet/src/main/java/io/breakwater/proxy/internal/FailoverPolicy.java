package io.breakwater.proxy.internal;

import io.breakwater.proxy.balance.internal.BackendPool;
import java.util.Set;

/**
 * Tells what a failed try was, from its failure, and decides whether it may move to another backend, as a list
 * of reasons not to (after OkHttp's {@code recover()}): each guard clause is one reason. Immutable and
 * thread-safe.
 */
public final class FailoverPolicy {
    /** The attempts a request gets when {@code maxAttempts} is not set. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** RFC 9110 §9.2.2: a second one of these has the same effect as the first. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /** How an attempt went wrong, as far as retrying it is concerned. */
    enum Failure {
        /** Nothing was sent: the backend cannot have seen the request (no connection, or its queue full). */
        NOT_SENT,
        /** The request went out and no answer came in time. */
        TIMEOUT,
        /** The request went out and the connection broke before an answer. */
        RESET,
        /** The backend answered with a status configured for failover. */
        STATUS
    }

    private final int maxAttempts;
    private final boolean retryNonIdempotent;
    private final BackendPool pool;
    private final RetryBudget budget;

    public FailoverPolicy(int maxAttempts, boolean retryNonIdempotent, BackendPool pool, RetryBudget budget) {
        this.maxAttempts = maxAttempts;
        this.retryNonIdempotent = retryNonIdempotent;
        this.pool = pool;
        this.budget = budget;
    }

    /** Whether the exchange may try another backend after this failure; asked under the exchange's monitor. */
    boolean mayRetry(Attempts<?> exchange, Failure failure) {
        // The client already has bytes of this answer: a second answer cannot follow.
        if (exchange.committed()) {
            return false;
        }
        // The attempts are used up.
        if (exchange.attempts() >= maxAttempts) {
            return false;
        }
        // A streamed body has been consumed by the first attempt and cannot be sent again.
        if (!exchange.isReplayable()) {
            return false;
        }
        // A non-idempotent request that may have reached the backend could take effect twice.
        if (failure != Failure.NOT_SENT && !retryNonIdempotent && !exchange.isIdempotent()) {
            return false;
        }
        // The request's deadline has passed: another try could not be answered in time.
        if (exchange.isExpired()) {
            return false;
        }
        // There is no backend left that this request has not tried.
        if (pool.candidates(exchange.tried()).isEmpty()) {
            return false;
        }
        // A try that was never sent cost no backend anything: the next one is the request's first real try.
        if (failure == Failure.NOT_SENT) {
            return true;
        }
        // The recent traffic paid for no more retries: more tries would pile onto backends that are failing them.
        // Asked last, so that only a retry that would otherwise go is withdrawn from the budget.
        return budget.withdraw();
    }

    static boolean isIdempotent(String method) {
        return IDEMPOTENT.contains(method);
    }

    /** How a try went wrong: where it was when it failed, and which timer fired. */
    static Failure classify(Attempt attempt, Throwable failure) {
        if (failure instanceof FailoverStatus) {
            return Failure.STATUS;
        }
        if (attempt.phase().unsent()) {
            return Failure.NOT_SENT;
        }
        return isTimeout(failure) ? Failure.TIMEOUT : Failure.RESET;
    }

    static boolean isTimeout(Throwable failure) {
        return causedBy(failure, java.util.concurrent.TimeoutException.class)
                || causedBy(failure, java.net.SocketTimeoutException.class);
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Marks a try that found no free connection to its backend in time. */
    static final class NoConnectionInTime extends Exception {
        private static final long serialVersionUID = 1L;

        NoConnectionInTime() {
            super("no connection in time", null, false, false);
        }
    }

    /** Ends the sending of a request whose whole answer came first; no stack trace, it is no error. */
    static final class AnsweredEarly extends Exception {
        private static final long serialVersionUID = 1L;

        AnsweredEarly() {
            super("answered before the request was sent whole", null, false, false);
        }
    }

    /** Marks a 101 Switching Protocols to a request that asked for no upgrade: the backend's failure. */
    public static final class UnrequestedUpgrade extends Exception {
        private static final long serialVersionUID = 1L;

        public UnrequestedUpgrade() {
            super("unrequested protocol switch", null, false, false);
        }
    }

    /** Marks an answer dropped for a failover status; no stack trace, it is not an error of the proxy. */
    public static final class FailoverStatus extends Exception {
        private static final long serialVersionUID = 1L;

        public FailoverStatus() {
            super("failover status", null, false, false);
        }
    }
}
