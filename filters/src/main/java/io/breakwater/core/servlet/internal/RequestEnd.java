package io.breakwater.core.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The end of one request as a filter must learn it: exactly once, when its dispatch returns or throws or, when the
 * chain started an async cycle, when the cycle is over. A cycle that timed out or failed ends in {@code onComplete},
 * answered by then; one started again in a later dispatch is followed; one the container aborts ends when whoever
 * aborts calls {@link AsyncStarts#aborting}. A subclass is the request's own state (a breaker's call, a limit's
 * permit, a route's count) and says in {@link #ended} what the end means; being its own async listener, it costs no
 * object more per request than that state. Thread-safe.
 */
public abstract class RequestEnd extends CompletionListener {
    /** A field, not an {@code AtomicBoolean}: one object fewer per request. */
    private static final AtomicIntegerFieldUpdater<RequestEnd> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(RequestEnd.class, "ended");

    /** 1 once the request ended. */
    private volatile int ended;
    /**
     * What an async cycle ends with: written before the listener is added, read when the container tells it, which
     * the container's lock orders after.
     */
    private HttpServletRequest request;
    private HttpServletResponse response;

    protected RequestEnd() {
    }

    /**
     * The filter's dispatch returned ({@code failure} is {@code null}) or threw {@code failure}, at
     * {@code nanoTime} ({@code System.nanoTime()}): the request ends now, or, if the chain started an async cycle
     * and returned, once that cycle is over.
     */
    public final void returned(HttpServletRequest request, HttpServletResponse response, Throwable failure,
            long nanoTime) {
        if (failure != null || !listensToCycle(request, response)) {
            end(request, response, failure, nanoTime);
        }
    }

    /** Like {@link #returned(HttpServletRequest, HttpServletResponse, Throwable, long)}, reading the clock if due. */
    public final void returned(HttpServletRequest request, HttpServletResponse response, Throwable failure) {
        if (failure != null || !listensToCycle(request, response)) {
            end(request, response, failure, System.nanoTime());
        }
    }

    private boolean listensToCycle(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext cycle = AsyncStarts.startedCycle(request);
        if (cycle == null) {
            return false;
        }
        // the container completes an async cycle only after this dispatch returns: the listener is in time
        this.request = request;
        this.response = response;
        cycle.addListener(this);
        return true;
    }

    /** Ends the request with {@link #ended}, unless it has ended already. */
    protected final void end(HttpServletRequest request, HttpServletResponse response, Throwable failure,
            long nanoTime) {
        if (claim()) {
            ended(request, response, failure, nanoTime);
        }
    }

    /**
     * Ends the request in the middle of its async cycle, with {@code failure}, unless it has ended already: for a
     * subclass that must learn of a timeout or an error as it happens rather than once it was answered.
     */
    protected final void endNow(Throwable failure) {
        end(request, response, failure, System.nanoTime());
    }

    /** The request's answer was aborted, broken by {@code failure}: it ends with it, as if the chain had thrown it. */
    final void aborted(Throwable failure) {
        end(request, response, failure, System.nanoTime());
    }

    /**
     * Whether the caller is the one to end the request: {@code true} once. For an end that bypasses
     * {@link #ended}, such as a count closed at the moment the timeout answers.
     */
    protected final boolean claim() {
        return ENDED.compareAndSet(this, 0, 1);
    }

    /**
     * The request ended, at {@code nanoTime} ({@code System.nanoTime()}); called once. {@code failure} is what the
     * dispatch threw (or, for a subclass that calls {@link #endNow}, what ended the cycle), else {@code null} and the
     * response holds the answer.
     */
    protected abstract void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure,
            long nanoTime);

    @Override
    public void onComplete(AsyncEvent event) {
        end(request, response, null, System.nanoTime());
    }
}
