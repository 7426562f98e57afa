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

    public final Backend backend;
    final long startNanos = System.nanoTime();
    /** The time it may take. */
    public final Duration budget;
    /** Sent beside a slow try rather than after a failed one. */
    final boolean hedge;
    /** Moved by {@link Attempts} only, under its monitor. */
    Stage stage = Stage.SENT;
    /** A connection to the backend was taken for the request; before that, nothing can have reached it. */
    private volatile boolean connected;
    /** The timer that sends a hedge when this try is slow; {@code null} when there is none. */
    private volatile TimeoutScheduler.Entry hedgeTimer;

    Attempt(Backend backend, Duration budget, boolean hedge) {
        this.backend = backend;
        this.budget = budget;
        this.hedge = hedge;
    }

    /** The request took a connection and began to leave: from now on the backend may have seen it. */
    public void connected() {
        connected = true;
    }

    boolean isConnected() {
        return connected;
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
