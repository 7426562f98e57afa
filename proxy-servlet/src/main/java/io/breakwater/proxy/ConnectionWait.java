package io.breakwater.proxy;

import io.breakwater.core.time.TimeoutScheduler;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Request;

/**
 * Gives up on a backend whose connections stay busy past {@code connectionWait}: nothing was sent, so the request
 * may go to another backend whatever its method. Every request passes the client's queue, if only for a moment, so
 * the wait is timed on Breakwater's lock-free scheduler rather than the client's. Thread-safe.
 */
final class ConnectionWait {
    private final Duration wait;
    private final TimeoutScheduler timers;

    /** {@code wait} zero: no limit (only the try timeout bounds the wait); otherwise {@code timers} times it. */
    ConnectionWait(Duration wait, TimeoutScheduler timers) {
        this.wait = wait;
        this.timers = timers;
    }

    /**
     * Whether a try failed while it still waited for a connection, before any byte of it left: the proxy's own
     * queue (no connection in time, the try's timeout spent queued), not the backend's failure. A failed connect
     * is the backend's.
     */
    static boolean refused(Exchange.Attempt attempt, Throwable failure) {
        if (attempt.connected) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketTimeoutException) {
                return false;
            }
            if (t instanceof FailoverPolicy.NoConnectionInTime || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    void limit(Request proxyRequest, Exchange.Attempt attempt) {
        if (wait.isZero()) {
            return;
        }
        proxyRequest.onRequestQueued(queued -> {
            TimeoutScheduler.Entry timer;
            try {
                timer = timers.schedule(() -> {
                    if (!attempt.connected) {
                        proxyRequest.abort(new FailoverPolicy.NoConnectionInTime());
                    }
                }, wait);
            } catch (RejectedExecutionException stopping) {
                return; // the servlet is being destroyed: its last requests wait as long as the client lets them
            }
            proxyRequest.onRequestBegin(begun -> timer.cancel());
        });
    }
}
