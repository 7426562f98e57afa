package io.breakwater.proxy.internal;

import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.internal.TimeoutScheduler;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The one timer of a try, bounding whichever side the try waits on, phase by phase:
 * <pre>
 * HEAD     the backend's answer head: tryTimeout (bounded by the request's deadline), from the moment the request,
 *          or its streamed body, was sent
 * BACKEND  the next piece of the backend's body: backendIdleTimeout from the last piece, and the request's deadline
 * CLIENT   the client taking the piece it was given: clientIdleTimeout from the moment it was handed over
 * DONE     the try ended; the timer never fires
 * </pre>
 * A piece that arrives or is taken only notes the phase and the time; the try's entry on the proxy's
 * {@link TimeoutScheduler}, when it comes due, looks at what the try waits on now and either fires or is scheduled
 * again for the new due time, as Jetty's {@code IdleTimeout} does. A new entry is made early only when a phase
 * begins that is due before the entry pending (an idle time shorter than the time left for the head). So a try
 * whose answer is whole before its time costs one entry, and a long download about one entry per idle period. Time the client takes is never
 * charged to the backend: it is the client's phase. Thread-safe: the phase and the time it began are one volatile
 * long, moved by the threads that move the try on and read by the scheduler's thread; leaving a phase for DONE is a
 * compare-and-set, so that a try ends or expires, never both.
 */
final class TryTimer implements Runnable {
    /** What a try waits on. */
    enum Phase {
        HEAD, BACKEND, CLIENT, DONE
    }

    /** What the try does when its time in a phase ran out; called on the scheduler's thread, at most once. */
    interface Expiry {
        void expired(Phase phase);
    }

    /** The proxy's idle times and its scheduler, one per servlet. Immutable and thread-safe. */
    static final class Times {
        final TimeoutScheduler scheduler;
        final long backendIdleNanos;
        final long clientIdleNanos;

        Times(TimeoutScheduler scheduler, Duration backendIdle, Duration clientIdle) {
            this.scheduler = scheduler;
            this.backendIdleNanos = backendIdle.toNanos();
            this.clientIdleNanos = clientIdle.toNanos();
        }
    }

    /** The low bits of {@link #state} hold the phase; the rest is {@code System.nanoTime()} when it began. */
    private static final long PHASE_MASK = 3;
    private static final Phase[] PHASES = Phase.values();
    private static final long DONE = pack(0, Phase.DONE);
    private static final AtomicLongFieldUpdater<TryTimer> STATE =
            AtomicLongFieldUpdater.newUpdater(TryTimer.class, "state");

    private final Times times;
    private final Expiry expiry;
    /** The phase and when it began, packed; a HEAD of time 0 until the timer starts. */
    private volatile long state = pack(0, Phase.HEAD);
    /** When the answer head is due; written before {@link #started} and the first entry, which publish it. */
    private long headDue;
    /** When the request's deadline passes, where it has one. */
    private long deadlineDue;
    private boolean hasDeadline;
    private volatile TimeoutScheduler.Entry entry;
    /** When the entry pending comes due; {@code started} false: none is, the try is not timed yet. */
    private volatile long scheduledDue;
    private volatile boolean started;

    TryTimer(Times times, Expiry expiry) {
        this.times = times;
        this.expiry = expiry;
    }

    /**
     * Starts timing the try, {@code budget} for its answer head: when the request was sent, or its streamed body.
     * An answer that began before (a backend may answer a streamed upload early) goes on in its phase.
     */
    void start(Duration budget, Deadline deadline) {
        long now = System.nanoTime();
        headDue = now + budget.toNanos();
        if (deadline != null) {
            hasDeadline = true;
            deadlineDue = now + deadline.remaining().toNanos();
        }
        started = true;
        schedule(due(state));
    }

    /** The answer's head came, or a piece of its body was taken in: the try waits on the backend from now. */
    void waitingOnBackend() {
        move(Phase.BACKEND);
    }

    /** A piece of the answer was handed to the client: the try waits on the client from now. */
    void waitingOnClient() {
        move(Phase.CLIENT);
    }

    /** The try ended: the timer never fires. */
    void end() {
        state = DONE;
        TimeoutScheduler.Entry scheduled = entry;
        if (scheduled != null) {
            scheduled.cancel();
        }
    }

    private void move(Phase phase) {
        long next = pack(System.nanoTime(), phase);
        for (long current = state; current != DONE; current = state) {
            if (STATE.compareAndSet(this, current, next)) {
                // started read first: its write published the due times that start() set
                if (started) {
                    long due = due(next);
                    if (due - scheduledDue < 0) {
                        TimeoutScheduler.Entry later = entry;
                        schedule(due);
                        if (later != null) {
                            later.cancel();
                        }
                    }
                }
                return;
            }
        }
    }

    /** The entry came due: fires when the try still waits past its time, else looks again when it may be. */
    @Override
    public void run() {
        long now = System.nanoTime();
        for (long current = state; current != DONE; current = state) {
            long due = due(current);
            if (now - due < 0) {
                schedule(due);
                return;
            }
            if (STATE.compareAndSet(this, current, DONE)) {
                expiry.expired(phase(current));
                return;
            } // else the try moved on meanwhile: look again
        }
    }

    private long due(long current) {
        long since = current & ~PHASE_MASK;
        return switch (phase(current)) {
            case HEAD, DONE -> headDue;
            case BACKEND -> earlier(since + times.backendIdleNanos);
            case CLIENT -> since + times.clientIdleNanos;
        };
    }

    /** {@code due}, or the request's deadline when that is earlier: the deadline is the outer bound. */
    private long earlier(long due) {
        return hasDeadline && deadlineDue - due < 0 ? deadlineDue : due;
    }

    private void schedule(long due) {
        try {
            scheduledDue = due;
            entry = times.scheduler.scheduleAt(this, due);
        } catch (RejectedExecutionException stopping) {
            // the servlet is being destroyed: its last tries run as long as their connections let them
        }
    }

    private static long pack(long nanos, Phase phase) {
        return (nanos & ~PHASE_MASK) | phase.ordinal();
    }

    private static Phase phase(long state) {
        return PHASES[(int) (state & PHASE_MASK)];
    }
}
