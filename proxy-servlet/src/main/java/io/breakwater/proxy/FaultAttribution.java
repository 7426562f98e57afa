package io.breakwater.proxy;

import io.breakwater.core.config.StatusSet;
import org.eclipse.jetty.client.Result;

/**
 * Whose fault the end of one try was, decided once per try as a list of reasons (after {@link FailoverPolicy}):
 * the client's, the backend's, or no one's. Only the backend's count against it (its failures, passive ejection);
 * the client's are counted as the client's and answered for it ({@link ClientFault}), and never reach a breaker as
 * failures. Immutable and thread-safe.
 */
final class FaultAttribution {
    /** Who is blamed for a try. */
    enum Party {
        /** The client spoiled its request or went away. */
        CLIENT,
        /** The backend failed the try. */
        BACKEND,
        /** Nobody: the backend answered, and its answer is passed on (the breaker judges it by its status). */
        NONE
    }

    private final StatusSet failoverStatuses;

    FaultAttribution(StatusSet failoverStatuses) {
        this.failoverStatuses = failoverStatuses;
    }

    Party blame(Exchange exchange, Result result) {
        // The client's body ended early, was malformed, stalled or ran past the limit, or the client went away:
        // asked first, because the try the client cut short fails on the backend's side too.
        if (exchange.clientFault() != null) {
            return Party.CLIENT;
        }
        // The backend could not be reached, reset the connection, did not answer in time, switched protocols
        // unasked, or had its answer dropped for a failover status.
        if (result.isFailed()) {
            return Party.BACKEND;
        }
        // The backend answered that it cannot serve (a status in failoverStatuses).
        if (failoverStatuses.holds(result.getResponse().getStatus())) {
            return Party.BACKEND;
        }
        // The backend's own answer: whatever its status, it is the app's, passed on as it is.
        return Party.NONE;
    }
}
