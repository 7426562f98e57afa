package io.breakwater.proxy.internal;

import io.breakwater.core.time.internal.TimeoutScheduler;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.client.Request;

/**
 * Gives up on a backend whose connections stay busy past {@code connectionWait}: nothing was sent, so the request
 * may go to another backend whatever its method. Every request passes the client's queue, if only for a moment, so
 * the wait is timed on Breakwater's lock-free scheduler rather than the client's. Thread-safe.
 */
public final class ConnectionWait {
    private final Duration wait;
    private final TimeoutScheduler timers;

    /** {@code wait} zero: no limit (only the try timeout bounds the wait); otherwise {@code timers} times it. */
    public ConnectionWait(Duration wait, TimeoutScheduler timers) {
        this.wait = wait;
        this.timers = timers;
    }

    void limit(Request proxyRequest, Attempt attempt) {
        if (wait.isZero()) {
            return;
        }
        proxyRequest.onRequestQueued(queued -> {
            TimeoutScheduler.Entry timer;
            try {
                timer = timers.schedule(() -> {
                    if (!attempt.isConnected()) {
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
