package io.breakwater.proxy.internal;

import io.breakwater.core.config.internal.StatusSet;
import io.breakwater.proxy.internal.Attempt.Phase;

/**
 * Whose fault the end of one try was, decided once per try as a list of reasons (after {@link FailoverPolicy}),
 * from what the I/O sites recorded, never from an exception's type: the client's when a read or write on the
 * client's own connection failed or its body was spoiled ({@link ClientFault}, recorded by the site that read or
 * wrote), the proxy's own when the try failed in the proxy's queue before a connection was even being opened for
 * it ({@link Phase#REJECTED}, {@link Phase#QUEUED}), else the backend's, whatever the phase: not taking a
 * connection in time, the request, the answer's head or its body. Only the backend's count against it (its
 * failures, passive ejection) and reach a breaker; the client's are counted as the client's and answered for it;
 * the proxy's are counted as its refusals, no route's failure. Immutable and thread-safe.
 *
 * <pre>
 * phase the try failed in                client's I/O failed   otherwise
 * REJECTED   (the backend's queue full)  CLIENT                PROXY
 * QUEUED     (waiting for a connection)  CLIENT                PROXY
 * CONNECTING (a connect still pending)   CLIENT                BACKEND
 * SENDING    (the request on its way)    CLIENT                BACKEND
 * HEAD       (waiting for the head)      CLIENT                BACKEND
 * BODY       (the answer's body)         CLIENT                BACKEND (DEADLINE past the request's deadline)
 * answered with a failover status        -                     BACKEND
 * answered otherwise                     -                     NONE (the breaker judges the status)
 * </pre>
 */
public final class FaultAttribution {
    /** Who is blamed for a try. */
    enum Party {
        /** The client spoiled its request or went away. */
        CLIENT,
        /** The backend failed the try. */
        BACKEND,
        /** The proxy's own queue for the backend: full, or no connection free in time. Nobody's failure. */
        PROXY,
        /**
         * The request's deadline ended the answer's body: the timeout answered and counted it for the route, and
         * whether the backend was slow to send or the client to read, neither is charged.
         */
        DEADLINE,
        /** Nobody: the backend answered, and its answer is passed on (the breaker judges it by its status). */
        NONE
    }

    private final StatusSet failoverStatuses;

    FaultAttribution(StatusSet failoverStatuses) {
        this.failoverStatuses = failoverStatuses;
    }

    /**
     * {@code failure} {@code null}: the backend answered with {@code status}; {@code deadlinePassed}: the request's
     * deadline had passed when the try ended.
     */
    Party blame(ClientFault clientFault, Phase phase, Throwable failure, int status, boolean deadlinePassed) {
        // A read or a write on the client's connection failed, or its body was spoiled: asked first, because the
        // try the client cut short fails on the backend's side too.
        if (clientFault != null) {
            return Party.CLIENT;
        }
        // The try failed in the proxy's own queue before any connection was being opened for it.
        if (failure != null && (phase == Phase.REJECTED || phase == Phase.QUEUED)) {
            return Party.PROXY;
        }
        // The deadline passed while the answer's body was passed on: the timeout refused the proxy's writes.
        if (failure != null && phase == Phase.BODY && deadlinePassed) {
            return Party.DEADLINE;
        }
        // The backend did not take the connection in time, refused it, reset it, did not answer in time, switched
        // protocols unasked, broke its answer, or had its answer dropped for a failover status.
        if (failure != null) {
            return Party.BACKEND;
        }
        // The backend answered that it cannot serve (a status in failoverStatuses).
        if (failoverStatuses.holds(status)) {
            return Party.BACKEND;
        }
        // The backend's own answer: whatever its status, it is the app's, passed on as it is.
        return Party.NONE;
    }
}
