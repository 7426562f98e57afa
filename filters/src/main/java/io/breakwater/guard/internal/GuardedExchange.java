package io.breakwater.guard.internal;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.ResponseGate;
import io.breakwater.core.time.internal.TimeoutScheduler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request through a guarded filter: the filter's own time, which runs only while the filter does its own work
 * and stops while the rest of the chain runs, and the deadline on it, as a small state machine where every move is
 * one compare-and-set:
 * <pre>
 * OWN        -> DOWNSTREAM  the filter called the chain in time (request thread): the clock stops
 * DOWNSTREAM -> OWN         the chain returned (request thread): the clock runs again, on the time left
 * OWN        -> DONE        the filter returned in time (request thread)
 * OWN        -> EXPIRING    its own time ran out first (scheduler thread), then EXPIRING -> TIMED_OUT
 * </pre>
 * The deadline is a task on the guard's scheduler, due when the time left runs out; it is cancelled when the clock
 * stops and scheduled anew when it runs again, so that no downstream work ever counts against the filter. Past it,
 * the scheduler's thread answers through the {@link ResponseGate} (as the request's own deadline does) and
 * interrupts the filter's thread, which is interrupted only in EXPIRING, a state it cannot leave the filter during.
 * Thread-safe.
 */
public final class GuardedExchange {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedExchange.class);
    /** The connection is still held by the hung filter, so the client must not send its next request on it. */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    enum State { OWN, DOWNSTREAM, EXPIRING, TIMED_OUT, DONE }

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ErrorCode errorCode;
    private final TimeoutScheduler scheduler;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private final Thread handler = Thread.currentThread();
    private final AtomicReference<State> state = new AtomicReference<>(State.OWN);
    private final ResponseGate gate = new ResponseGate(() -> { });
    // the request thread's own: the filter's time so far and when its current stretch of own work began
    private long ownNanos;
    private long stretchStart;
    private TimeoutScheduler.Entry deadlineTask;
    /** Whether the timeout answer went out; written before TIMED_OUT, read after it. */
    private boolean answered;

    /**
     * The filter starts its own work at {@code start} ({@code System.nanoTime()}), with {@code timeoutNanos} of own
     * time on {@code scheduler}, or with no deadline when {@code scheduler} is {@code null}.
     */
    public GuardedExchange(HttpServletRequest request, HttpServletResponse response, ErrorCode errorCode,
            TimeoutScheduler scheduler, long timeoutNanos, Runnable onTimeout, long start) {
        this.request = request;
        this.response = response;
        this.errorCode = errorCode;
        this.scheduler = scheduler;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
        this.stretchStart = start;
        arm(start, timeoutNanos);
    }

    /** The gate that every change of the response passes, downstream's included. */
    public ResponseGate gate() {
        return gate;
    }

    /** The filter's own time so far; once it returned, all of it. */
    public long ownNanos() {
        return ownNanos;
    }

    /** The filter calls the chain at {@code now}: the clock stops; {@code false} when its time ran out before. */
    boolean pause(long now) {
        if (!state.compareAndSet(State.OWN, State.DOWNSTREAM)) {
            return false;
        }
        ownNanos += now - stretchStart;
        disarm();
        return true;
    }

    /** The chain returned to the filter at {@code now}: the clock runs again, on the time left. */
    void resume(long now) {
        stretchStart = now;
        state.set(State.OWN);
        arm(now, Math.max(0, timeoutNanos - ownNanos));
    }

    /**
     * The filter returned or threw at {@code now}. Returns {@code true} when it did so in time (the guard goes on
     * as usual), {@code false} when its deadline owned the request: whatever the filter did is dropped.
     */
    public boolean returnedInTime(long now) {
        if (state.compareAndSet(State.OWN, State.DONE)) {
            ownNanos += now - stretchStart;
            disarm();
            return true;
        }
        ownNanos += now - stretchStart;
        while (state.get() == State.EXPIRING) {
            Thread.yield(); // the scheduler is writing a few hundred bytes and interrupting this thread
        }
        Thread.interrupted(); // the interrupt was meant for the filter only, not for the container
        return false;
    }

    /**
     * Finishes a timed-out request on the filter's thread: answers when the scheduler could not, ends the async
     * cycle that the rest of the chain started (the timeout's answer is the request's, and the app's cycle would
     * otherwise keep every filter in front waiting for an end), and throws so that the container aborts the
     * connection when the response was committed before the deadline.
     */
    public void finishTimedOut() throws IOException {
        gate.awaitChangesLeft();
        if (!answered) {
            answered = answer();
        }
        AsyncStarts.completeStarted(request);
        if (!answered) {
            throw new BreakwaterException(errorCode);
        }
    }

    /**
     * The filter's own time ran out while it worked: answer now, from the scheduler. A deadline cancelled as the
     * chain began may still fire here if the scheduler took it just before; the move from OWN decides, and a
     * deadline that fires then had passed.
     */
    private void expire() {
        if (!state.compareAndSet(State.OWN, State.EXPIRING)) {
            return;
        }
        try {
            onTimeout.run(); // counted before the client can see the answer
            // a filter blocked inside a write is in the gate: its thread answers once the interrupt frees it
            if (gate.close()) {
                answered = answer();
            }
            handler.interrupt();
        } finally {
            state.set(State.TIMED_OUT);
        }
    }

    private void arm(long now, long leftNanos) {
        if (scheduler == null) {
            return;
        }
        try {
            deadlineTask = scheduler.scheduleAt(this::expire, now + leftNanos);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("the app is being undeployed: no deadline for a guarded filter's last requests", stopping);
        }
    }

    private void disarm() {
        if (deadlineTask != null) {
            deadlineTask.cancel();
            deadlineTask = null;
        }
    }

    private boolean answer() {
        try {
            if (!ErrorResponse.send(request, response, errorCode, CLOSE)) {
                return false;
            }
            response.getOutputStream().close();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the guarded filter's timeout answer", e);
            return response.isCommitted();
        }
    }
}
