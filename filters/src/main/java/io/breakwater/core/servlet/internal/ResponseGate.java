package io.breakwater.core.servlet.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The gate between a handler and a response that a deadline may take from it: every change of the response
 * ({@link GatedResponse}) enters and leaves it, and whoever {@link #close closes} it while no change is under way owns
 * the response alone, so that a deadline's answer and the handler's late writes never mix. It keeps a count of the
 * changes under way, with the sign bit ({@link #CLOSED}) set once the handler may no longer touch the response: a
 * change enters with one increment and leaves with one decrement (a lock cost an acquire, a release and a lambda per
 * change, on every header and write the proxy makes); a change that enters after the close sees the bit and leaves
 * without touching the response. One per request under a deadline; thread-safe.
 */
public final class ResponseGate {
    /** The gate's bit that says the handler may no longer touch the response. */
    private static final int CLOSED = Integer.MIN_VALUE;

    /** A field, not an {@code AtomicInteger}: one object fewer per request. */
    private static final AtomicIntegerFieldUpdater<ResponseGate> GATE =
            AtomicIntegerFieldUpdater.newUpdater(ResponseGate.class, "gate");

    /** The changes under way, with {@link #CLOSED} once closed. */
    private volatile int gate;
    private final Owner owner;

    /** A gate whose {@code owner} learns that the handler aborts the response. */
    public ResponseGate(Owner owner) {
        this.owner = owner;
    }

    /**
     * Lets a change of the real response through unless the deadline owns it: {@code true} when the change may
     * run, and then {@link #leave()} must follow it, in a {@code finally}.
     */
    public boolean enter() {
        if (GATE.getAndIncrement(this) < 0) {
            GATE.decrementAndGet(this);
            return false;
        }
        return true;
    }

    /** Ends a change that {@link #enter()} let through. */
    public void leave() {
        GATE.decrementAndGet(this);
    }

    /** Runs a change of the real response unless the deadline owns it; returns whether it ran. */
    public boolean pass(IoAction action) throws IOException {
        if (!enter()) {
            return false;
        }
        try {
            action.run();
            return true;
        } finally {
            leave();
        }
    }

    public boolean isClosed() {
        return gate < 0;
    }

    /** Closes the gate; returns whether no change was under way, so that the caller now owns the response. */
    public boolean close() {
        return GATE.getAndUpdate(this, g -> g | CLOSED) == 0;
    }

    /** Closes the gate and waits until the changes under way have left (a handler's thread stuck in a write). */
    public void awaitChangesLeft() {
        close();
        while (gate != CLOSED) {
            LockSupport.parkNanos(100_000); // rare: a timed-out request whose writer is still inside
        }
    }

    /**
     * Closes the gate for an async cycle's deadline; returns whether the caller now owns an uncommitted response.
     * A change under way on an uncommitted response (the proxy's client thread copying a header or buffering a
     * write) ends in microseconds, so it is waited for; one on a committed response may be blocked on a slow
     * client, and is left to the abort.
     */
    public boolean closeOnceUncommittedChangesLeft(HttpServletResponse response) {
        if (close()) {
            return true;
        }
        while (gate != CLOSED) {
            if (response.isCommitted()) {
                return false;
            }
            LockSupport.parkNanos(10_000);
        }
        return !response.isCommitted();
    }

    /**
     * The handler is aborting the response (Jetty's {@code sendError(-1)}, as its proxy does when a backend fails
     * after the answer was committed): the owner ends the request now.
     */
    void aborting() {
        owner.aborting();
    }

    /**
     * Who may take the response from the handler. An interface of its own rather than a {@code Runnable}, so that
     * the owner is it, not a lambda made for each request.
     */
    @FunctionalInterface
    public interface Owner {
        /** The handler is aborting the response: the request ends now. */
        void aborting();
    }

    /** A change of the real response that may throw {@link IOException}. */
    public interface IoAction {
        void run() throws IOException;
    }
}
