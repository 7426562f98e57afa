package io.breakwater.proxy;

import io.breakwater.core.time.TimeoutScheduler;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendPool;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a slow try gets a hedge, and how many hedges may be in flight: a timer per try that fires after
 * {@code hedgeAfter} unless the try's answer began or it ended first, and a budget of {@code hedgeBudget} percent
 * of the other tries in flight (at least {@link #MIN_IN_FLIGHT}), so that a slowdown of every backend does not double
 * their load (after Envoy's retry budget), and only when another backend's recent answers promise to beat the slow
 * try ({@link #promising}). Thread-safe.
 */
final class Hedging {
    /** Hedges allowed in flight whatever the budget says, so that a quiet proxy can hedge at all. */
    static final int MIN_IN_FLIGHT = 3;
    /** How much longer than a candidate's recent response time a try must have waited for a hedge to go to it. */
    static final int PROMISE_FACTOR = 2;

    private final Duration after;
    private final float budgetPercent;
    private final TimeoutScheduler timers;
    private final BackendPool pool;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** {@code after} zero: no hedging; otherwise {@code timers} runs the hedges. */
    Hedging(Duration after, float budgetPercent, TimeoutScheduler timers, BackendPool pool) {
        this.after = after;
        this.budgetPercent = budgetPercent;
        this.timers = timers;
        this.pool = pool;
    }

    boolean enabled() {
        return !after.isZero();
    }

    /** Runs {@code hedge} once the try has gone {@code hedgeAfter} without an answer. */
    void arm(Exchange.Attempt attempt, Runnable hedge) {
        try {
            attempt.hedgeTimer = timers.schedule(hedge, after);
        } catch (RejectedExecutionException stopping) {
            // the servlet is being destroyed: its last tries get no hedge
        }
    }

    /**
     * Whether a hedge could beat the slow try: some candidate for it has no figure yet, or answers by its recent
     * figure ({@link Backend#responseNanos}) in under {@code 1 / }{@value #PROMISE_FACTOR} of the time the try has
     * waited. Under a load that slows every backend alike, a hedge could not win and would only add to the load.
     */
    static boolean promising(Exchange.Attempt slow, List<Backend> candidates) {
        return promising(System.nanoTime() - slow.startNanos, candidates);
    }

    static boolean promising(long waitedNanos, List<Backend> candidates) {
        for (Backend candidate : candidates) {
            if (!candidate.answeredSinceReturn() || candidate.responseNanos() * PROMISE_FACTOR < waitedNanos) {
                return true;
            }
        }
        return false;
    }

    /** Takes a place for one hedge in flight, unless the budget is spent; {@link #release} gives it back. */
    boolean acquire() {
        int tries = 0;
        for (Backend backend : pool.all()) {
            tries += backend.getInFlight();
        }
        int requests = tries - inFlight.get();
        int limit = Math.max(MIN_IN_FLIGHT, (int) (requests * budgetPercent / 100));
        for (int current = inFlight.get(); current < limit; current = inFlight.get()) {
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        inFlight.decrementAndGet();
    }

    /** Hedges in flight now. */
    int inFlight() {
        return inFlight.get();
    }
}
