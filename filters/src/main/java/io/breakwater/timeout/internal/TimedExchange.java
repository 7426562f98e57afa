package io.breakwater.timeout.internal;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.ResponseGate;
import io.breakwater.core.time.internal.TimeoutScheduler;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request under a deadline: who may still answer it, as a small state machine where every move is one
 * compare-and-set, and the {@link ResponseGate} that keeps the handler's writes and the timeout's answer from ever mixing.
 * <pre>
 * RUNNING  -> DONE      the handler returned in time (request thread)
 * RUNNING  -> ASYNC     the handler started an async cycle in time (request thread)
 * RUNNING  -> EXPIRING  the deadline passed first (scheduler thread), then EXPIRING -> TIMED_OUT
 * ASYNC    -> DONE      the async cycle completed in time
 * ASYNC    -> EXPIRING  the async cycle ran past the deadline (scheduler thread), or past an async timeout the
 *                       app set itself (container's timeout thread)
 * RUNNING  -> DONE      the handler aborted the response before the deadline (any thread: a proxy's client thread)
 * ASYNC    -> DONE      likewise, in its async cycle
 * </pre>
 * The handler thread is interrupted only in EXPIRING, which it cannot leave {@code doFilter} during, so an
 * interrupt never reaches the thread once it serves another request. The exchange is its own deadline task on the
 * scheduler ({@link #run}) and the owner of its gate, so that a request under a deadline makes no lambda for
 * either. Thread-safe.
 */
public final class TimedExchange implements Runnable, ResponseGate.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(TimedExchange.class);
    /** The connection is still held by the hung handler, so the client must not send its next request on it. */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    /** Marks an async dispatch that {@code TimeoutFilter} must fail, so that the container aborts the response. */
    public static final String ABORT_ATTRIBUTE = TimedExchange.class.getName() + ".abort";

    enum State { RUNNING, ASYNC, EXPIRING, TIMED_OUT, DONE }

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ErrorCode errorCode;
    private final Duration timeout;
    private final TimeoutListener onTimeout;
    private final Thread handler = Thread.currentThread();
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    /** Between the handler's changes of the response and the timeout's answer. */
    private final ResponseGate gate = new ResponseGate(this);
    /** Whether the timeout answer went out; written before TIMED_OUT, read after it. */
    private boolean answered;
    private TimeoutScheduler.Entry deadlineTask;
    /** The async cycle the handler started in time; written before ASYNC, read after it. */
    private volatile AsyncContext async;

    /** Who counts and logs a request's timeout, told once, before the client can see the answer. */
    @FunctionalInterface
    public interface TimeoutListener {
        void timedOut(HttpServletRequest request, Duration timeout);
    }

    /** A request with {@code timeout} to run; {@code onTimeout} is told if it runs past it. */
    public TimedExchange(HttpServletRequest request, HttpServletResponse response, ErrorCode errorCode,
            Duration timeout, TimeoutListener onTimeout) {
        this.request = request;
        this.response = response;
        this.errorCode = errorCode;
        this.timeout = timeout;
        this.onTimeout = onTimeout;
    }

    public void deadlineTask(TimeoutScheduler.Entry task) {
        this.deadlineTask = task;
    }

    State state() {
        return state.get();
    }

    /**
     * Whether {@code cycle} is the request's async cycle and neither completed nor timed out: no cycle started
     * after it (a container that hands out a new context per cycle), and the request is still running or in its
     * cycle.
     */
    boolean isUnderWay(AsyncContext cycle) {
        State now = state.get();
        AsyncContext latest = async;
        return (now == State.RUNNING || now == State.ASYNC) && (latest == null || latest == cycle);
    }

    /** The gate that every change of the response passes. */
    public ResponseGate gate() {
        return gate;
    }

    /** The deadline's task on the scheduler: {@link #expire()}. */
    @Override
    public void run() {
        expire();
    }

    /** The deadline passed while the handler still ran, or its async cycle did: answer now, from the scheduler. */
    public void expire() {
        if (state.get() == State.ASYNC) {
            expireAsync(async);
            return;
        }
        if (!state.compareAndSet(State.RUNNING, State.EXPIRING)) {
            return;
        }
        try {
            onTimeout.timedOut(request, timeout); // counted before the client can see the answer
            // a handler blocked inside a write is in the gate: its thread answers once the interrupt frees it
            if (gate.close()) {
                answered = answer(CLOSE);
            }
            handler.interrupt();
        } finally {
            state.set(State.TIMED_OUT);
        }
    }

    /**
     * The handler's thread is back in the filter. Returns {@code true} when the request ended in time (the
     * caller goes on as usual), {@code false} when the timeout owned it: whatever the handler did is dropped.
     */
    public boolean returnedInTime(AsyncContext asyncStarted) {
        if (asyncStarted != null) {
            async = asyncStarted;
            // the deadline stays scheduled and bounds the cycle in place of the container's async timeout, which
            // would cost a schedule and a cancel on the container's scheduler, under its lock, per request
            asyncStarted.setTimeout(0);
            listen(asyncStarted);
            if (state.compareAndSet(State.RUNNING, State.ASYNC)) {
                return true;
            }
        } else if (state.compareAndSet(State.RUNNING, State.DONE)) {
            deadlineTask.cancel();
            return true;
        }
        if (state.get() == State.DONE) {
            return true; // the handler aborted the response before it returned
        }
        while (state.get() == State.EXPIRING) {
            Thread.yield(); // the scheduler is writing a few hundred bytes and interrupting this thread
        }
        Thread.interrupted(); // the interrupt was meant for the handler only, not for the container
        return false;
    }

    /**
     * The handler is aborting the response (Jetty's {@code sendError(-1)}, as its proxy does when a backend fails
     * after the answer was committed): the request ends now, though the container will tell no async listener.
     * The deadline is cancelled, so that it never fires on a request the container has recycled by then, and the
     * chain's listeners are told while the request is still alive. After the deadline this is the timeout's to end.
     */
    @Override
    public void aborting() {
        if (state.compareAndSet(State.ASYNC, State.DONE) || state.compareAndSet(State.RUNNING, State.DONE)) {
            deadlineTask.cancel();
            AsyncStarts.aborting(request);
        }
    }

    /**
     * Finishes a timed-out request on the handler's thread: answers when the scheduler could not, and throws so
     * that the container aborts the connection when the response was committed before the deadline.
     */
    public void finishTimedOut() throws IOException {
        gate.awaitChangesLeft();
        if (!answered) {
            answered = answer(CLOSE);
        }
        AsyncStarts.completeStarted(request);
        if (!answered) {
            throw new BreakwaterException(errorCode);
        }
    }

    /**
     * Follows the async cycle that the handler started: its completion ends the deadline. The listener goes on the
     * chain's own view of the cycle when there is one, so that an abort from a later dispatch ends it too. It is a
     * listener of its own rather than a {@code RequestEnd}: a timeout and a new cycle are
     * moves of the state machine here, not ends, and the end is one compare-and-set already.
     */
    private void listen(AsyncContext started) {
        AsyncContext listened = AsyncStarts.startedCycle(request);
        AsyncContext cycle = listened == null ? started : listened;
        cycle.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                expireAsync(event.getAsyncContext());
            }

            @Override
            public void onComplete(AsyncEvent event) {
                if (state.compareAndSet(State.ASYNC, State.DONE)) {
                    deadlineTask.cancel();
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                // ExceptionHandlingFilter answers async failures
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // a new cycle (from an async dispatch) keeps the deadline set at the request's start
                AsyncContext next = event.getAsyncContext();
                TimedExchange.this.async = next;
                next.setTimeout(0);
                next.addListener(this);
            }
        });
    }

    /** The async cycle ran past the deadline: answer (scheduler or container thread), or leave it to abort. */
    private void expireAsync(AsyncContext async) {
        if (!state.compareAndSet(State.ASYNC, State.EXPIRING)) {
            return;
        }
        try {
            onTimeout.timedOut(request, timeout);
            if (gate.closeOnceUncommittedChangesLeft(response)) {
                answered = answer(Map.of());
            }
        } finally {
            state.set(State.TIMED_OUT);
        }
        if (answered) {
            AsyncStarts.complete(async);
        } else {
            // committed before the deadline: an async dispatch throws it back at the container, which aborts
            AsyncStarts.aborting(request);
            request.setAttribute(ABORT_ATTRIBUTE, Boolean.TRUE);
            try {
                async.dispatch();
            } catch (IllegalStateException completed) {
                LOG.debug("async cycle ended before it could be aborted", completed);
            }
        }
    }

    private boolean answer(Map<String, String> headers) {
        try {
            if (!ErrorResponse.send(request, response, errorCode, headers)) {
                return false;
            }
            response.getOutputStream().close();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not send the timeout answer", e);
            return response.isCommitted();
        }
    }
}
