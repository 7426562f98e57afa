package io.breakwater.guard.internal;

import io.breakwater.core.error.BreakwaterException;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.servlet.internal.AsyncStarts;
import io.breakwater.core.servlet.internal.ResponseGate;
import io.breakwater.core.time.internal.TimeoutScheduler;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request through a guarded filter, and the rest of the chain as that filter sees it. The filter's own time runs
 * only while it does its own work and stops while the rest of the chain runs; the deadline is on that time. A state
 * machine where every move is one compare-and-set:
 * <pre>
 * OWN        -> DOWNSTREAM  the filter called the chain in time (request thread): the clock stops
 * DOWNSTREAM -> UNARMED     the deadline's task came while the chain ran (scheduler): none is armed any more
 * DOWNSTREAM,
 * UNARMED    -> OWN         the chain returned (request thread): the clock runs again, on the time left
 * OWN        -> DONE        the filter returned in time (request thread)
 * OWN        -> EXPIRING    the deadline's task came (scheduler); then EXPIRING -> TIMED_OUT when the time left
 *                           is gone, or EXPIRING -> OWN when it is not, the task due again when it will be
 * </pre>
 * One deadline task per request, armed as the filter starts, due when its time would run out if nothing ran
 * downstream: the chain's time only makes it early, and an early task finds the time left and is due again then. So
 * a filter that calls the chain costs no more deadlines than one that does not, and no downstream work ever counts
 * against it. Past the deadline, the scheduler's thread answers through the {@link ResponseGate} (as the request's
 * own deadline does) and interrupts the filter's thread, which is interrupted only in EXPIRING, a state it waits out
 * before it leaves the filter or enters the chain. What the rest of the chain throws is remembered, so that the guard
 * lets it pass unjudged (it is the route's, not the filter's); once the filter's own time ran out, the rest of the
 * chain no longer runs. Thread-safe.
 */
public final class GuardedExchange implements FilterChain, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedExchange.class);
    /** The connection is still held by the hung filter, so the client must not send its next request on it. */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");
    private static final ResponseGate.Owner NO_ABORT_OWNER = () -> { };
    private static final AtomicIntegerFieldUpdater<GuardedExchange> STATE =
            AtomicIntegerFieldUpdater.newUpdater(GuardedExchange.class, "state");

    static final int OWN = 0;
    static final int DOWNSTREAM = 1;
    static final int UNARMED = 2;
    static final int EXPIRING = 3;
    static final int TIMED_OUT = 4;
    static final int DONE = 5;

    /** What learns of a deadline that passed, once, on the scheduler's thread, before the client sees the answer. */
    @FunctionalInterface
    public interface TimeoutListener {
        void timedOut(HttpServletRequest request);
    }

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final FilterChain chain;
    private final ErrorCode errorCode;
    private final TimeoutScheduler scheduler;
    private final long timeoutNanos;
    private final TimeoutListener onTimeout;
    private final Thread handler = Thread.currentThread();
    private final ResponseGate gate = new ResponseGate(NO_ABORT_OWNER);
    private volatile int state = OWN;
    /**
     * When the filter's own time runs out if it keeps working: written by the request thread before each move to
     * OWN, read by the scheduler in OWN and EXPIRING, when it cannot change.
     */
    private volatile long dueNanos;
    /** The deadline's task in the scheduler's queue; the scheduler replaces it when it comes early. */
    private volatile TimeoutScheduler.Entry deadlineTask;
    // the request thread's own: the filter's time so far and when its current stretch of own work began
    private long ownNanos;
    private long stretchStart;
    private Throwable thrownDownstream;
    /** Whether the timeout answer went out; written before TIMED_OUT, read after it. */
    private boolean answered;

    /**
     * The filter starts its own work at {@code start} ({@code System.nanoTime()}), with {@code timeoutNanos} of own
     * time on {@code scheduler}, or with no deadline when {@code scheduler} is {@code null}; {@code chain} is the
     * rest of the chain.
     */
    public GuardedExchange(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            ErrorCode errorCode, TimeoutScheduler scheduler, long timeoutNanos, TimeoutListener onTimeout,
            long start) {
        this.request = request;
        this.response = response;
        this.chain = chain;
        this.errorCode = errorCode;
        this.scheduler = scheduler;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
        this.stretchStart = start;
        this.dueNanos = start + timeoutNanos;
        arm(dueNanos);
    }

    /** The gate that every change of the response passes, downstream's included. */
    public ResponseGate gate() {
        return gate;
    }

    /** The filter's own time so far; once it returned, all of it. */
    public long ownNanos() {
        return ownNanos;
    }

    /** The rest of the chain: the filter's clock stops until it returns, and what it throws is remembered. */
    @Override
    public void doFilter(ServletRequest req, ServletResponse res) throws IOException, ServletException {
        if (!pause(System.nanoTime())) {
            throw new InterruptedIOException("the guarded filter ran past its own deadline; the chain does not run");
        }
        try {
            chain.doFilter(req, res);
        } catch (Throwable thrown) { // a checked exception thrown undeclared is the route's, too
            thrownDownstream = thrown;
            throw thrown;
        } finally {
            resume(System.nanoTime());
        }
    }

    /** Whether {@code thrown} is, or wraps, what the rest of the chain threw. */
    public boolean threwDownstream(Throwable thrown) {
        if (thrownDownstream == null) {
            return false;
        }
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t == thrownDownstream) {
                return true;
            }
        }
        return false;
    }

    /** The filter calls the chain at {@code now}: the clock stops; {@code false} when its time ran out before. */
    private boolean pause(long now) {
        if (!leaveOwn(DOWNSTREAM)) {
            return false;
        }
        ownNanos += now - stretchStart;
        return true;
    }

    /** The chain returned to the filter at {@code now}: the clock runs again, on the time left. */
    private void resume(long now) {
        stretchStart = now;
        long due = now + Math.max(0, timeoutNanos - ownNanos);
        dueNanos = due;
        if (STATE.getAndSet(this, OWN) == UNARMED) {
            arm(due); // the task came while the chain ran and was not kept
        }
    }

    /**
     * The filter returned or threw at {@code now}. Returns {@code true} when it did so in time (the guard goes on
     * as usual), {@code false} when its deadline owned the request: whatever the filter did is dropped.
     */
    public boolean returnedInTime(long now) {
        ownNanos += now - stretchStart;
        if (leaveOwn(DONE)) {
            TimeoutScheduler.Entry task = deadlineTask;
            if (task != null) {
                task.cancel();
            }
            return true;
        }
        Thread.interrupted(); // the interrupt was meant for the filter only, not for the container
        return false;
    }

    /**
     * Moves from OWN to {@code next}; {@code false} when the deadline owned the request first. Waits while the
     * scheduler is deciding (EXPIRING): it writes a few hundred bytes at most, or finds time left and gives OWN back.
     */
    private boolean leaveOwn(int next) {
        for (;;) {
            if (STATE.compareAndSet(this, OWN, next)) {
                return true;
            }
            if (state != EXPIRING) {
                return false;
            }
            Thread.onSpinWait();
        }
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
     * The deadline's task, on the scheduler's thread. While the chain runs it leaves the deadline to the chain's
     * return; while the filter works it takes the request (EXPIRING) and looks at the time left, which only the
     * request thread's move back to OWN changes: when some is left (the chain ran meanwhile) it gives the request
     * back and is due again then; else the filter's own time ran out, and it answers.
     */
    @Override
    public void run() {
        for (;;) {
            int current = state;
            if (current == DOWNSTREAM) {
                if (STATE.compareAndSet(this, DOWNSTREAM, UNARMED)) {
                    return;
                }
            } else if (current != OWN) {
                return; // done, or timed out already
            } else if (STATE.compareAndSet(this, OWN, EXPIRING)) {
                long due = dueNanos;
                if (System.nanoTime() - due < 0) {
                    arm(due); // before OWN, so that the filter's return cancels this task, not the one that came
                    state = OWN;
                    return;
                }
                expire();
                return;
            }
        }
    }

    private void expire() {
        try {
            onTimeout.timedOut(request); // counted before the client can see the answer
            // a filter blocked inside a write is in the gate: its thread answers once the interrupt frees it
            if (gate.close()) {
                answered = answer();
            }
            handler.interrupt();
        } finally {
            state = TIMED_OUT;
        }
    }

    private void arm(long due) {
        if (scheduler == null) {
            return;
        }
        try {
            deadlineTask = scheduler.scheduleAt(this, due);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("the app is being undeployed: no deadline for a guarded filter's last requests", stopping);
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
