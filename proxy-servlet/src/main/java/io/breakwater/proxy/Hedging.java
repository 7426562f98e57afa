package io.breakwater.proxy;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BackendPool;
import io.breakwater.timeout.TimeoutScheduler;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a slow try gets a hedge, and how many hedges may be in flight: a timer per try that fires after
 * {@code hedgeAfter} unless the try's answer began or it ended first, and a budget of {@code hedgeBudget} percent
 * of the other tries in flight (at least {@link #MIN_IN_FLIGHT}), so that a slowdown of every backend does not double
 * their load (after Envoy's retry budget). Thread-safe.
 */
final class Hedging {
    /** Hedges allowed in flight whatever the budget says, so that a quiet proxy can hedge at all. */
    static final int MIN_IN_FLIGHT = 3;

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
