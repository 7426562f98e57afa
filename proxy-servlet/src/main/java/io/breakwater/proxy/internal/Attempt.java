package io.breakwater.proxy.internal;

import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.proxy.balance.Backend;
import java.time.Duration;

/**
 * One try of an exchange on one backend. Thread-safe: its stage is moved only by its {@link Attempts}, under that
 * exchange's monitor; the facts reported from outside (connected, the hedge timer) are volatile.
 */
public final class Attempt {
    /** A try's stage; the table of allowed moves is {@link #leadsTo}. */
    public enum Stage {
        SENT, PASSING, LOSING, DROPPED, KEEPING, REFUSED, ENDED;

        boolean leadsTo(Stage next) {
            return switch (this) {
                case SENT -> next != SENT;
                case PASSING, LOSING, DROPPED, KEEPING, REFUSED -> next == ENDED;
                case ENDED -> false;
            };
        }

        /** A failover answer set aside: a next try after it may be taken whenever one is left. */
        boolean setAside() {
            return this == DROPPED || this == KEEPING;
        }
    }

    /**
     * Where a try is, as its I/O sites record it: which side a failure is whose follows from it
     * ({@link FaultAttribution}). Each phase only moves forward.
     */
    public enum Phase {
        /** The backend's queue in the proxy was full: the try never even waited for a connection. */
        REJECTED,
        /** Waiting in the proxy's queue for a free connection to the backend: nothing reached it. */
        QUEUED,
        /** A connection to the backend was being opened for it: the backend did not take it in time. */
        CONNECTING,
        /** It took a connection and its request began to leave: the backend may have seen it. */
        SENDING,
        /** Its request was sent whole: waiting for the backend's answer head. */
        HEAD,
        /** The backend's answer head came whole: its body is under way. */
        BODY;

        /** Whether nothing of the request can have reached the backend. */
        boolean unsent() {
            return this.compareTo(SENDING) < 0;
        }
    }

    public final Backend backend;
    final long startNanos = System.nanoTime();
    /** The time it may take. */
    public final Duration budget;
    /** Sent beside a slow try rather than after a failed one. */
    final boolean hedge;
    /** Moved by {@link Attempts} only, under its monitor. */
    Stage stage = Stage.SENT;
    /** Where the try is; moved forward only, by the I/O sites of the proxy's client. */
    private volatile Phase phase = Phase.QUEUED;
    /** The timer that sends a hedge when this try is slow; {@code null} when there is none. */
    private volatile TimeoutScheduler.Entry hedgeTimer;

    Attempt(Backend backend, Duration budget, boolean hedge) {
        this.backend = backend;
        this.budget = budget;
        this.hedge = hedge;
    }

    /** The request took a connection and began to leave: from now on the backend may have seen it. */
    public void connected() {
        reached(Phase.SENDING);
    }

    boolean isConnected() {
        return !phase.unsent();
    }

    /**
     * The try reached {@code next}, recorded where it happened; a phase behind the current one is ignored, since
     * Jetty's notices about one try may come on two threads.
     */
    public void reached(Phase next) {
        Phase current = phase;
        if (next.compareTo(current) > 0) {
            phase = next; // the try's events are ordered by Jetty: a race only ever loses a notice already passed
        }
    }

    /**
     * A try that failed in the proxy's queue, as the failure site found it: its queue was full, or it still waited
     * for a connection that the backend had not accepted yet.
     */
    public void failedQueued(Phase where) {
        if (phase == Phase.QUEUED) {
            phase = where;
        }
    }

    public Phase phase() {
        return phase;
    }

    void hedgeTimer(TimeoutScheduler.Entry timer) {
        hedgeTimer = timer;
    }

    void cancelHedge() {
        TimeoutScheduler.Entry timer = hedgeTimer;
        if (timer != null) {
            timer.cancel();
        }
    }

    @Override
    public String toString() {
        return backend + (hedge ? " (hedge)" : "");
    }
}
