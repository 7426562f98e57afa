package io.breakwater.proxy.internal;

import com.codahale.metrics.Counter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests may be retrying at once: {@code retryBudget} percent of the proxy's requests in flight, and at
 * least {@link #MIN_RETRYING} whatever the budget says, so that a quiet proxy can retry at all (after Envoy's retry
 * budget, as {@link Hedging} budgets hedges). Without it, every backend answering 503 turns each request into
 * {@code maxAttempts} tries just when the backends can least take them. A request keeps its place from its first
 * retry until it ends; a retry refused is counted. Thread-safe.
 */
public final class RetryBudget {
    /** Requests allowed to retry at once whatever the budget says. */
    public static final int MIN_RETRYING = 3;

    private final float budgetPercent;
    private final Counter refusals;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();
    private final Set<Attempts<?>> holding = ConcurrentHashMap.newKeySet();

    public RetryBudget(float budgetPercent, Counter refusals) {
        this.budgetPercent = budgetPercent;
        this.refusals = refusals;
    }

    /** A request is in flight from now until {@link #ended}. */
    public void started() {
        requests.incrementAndGet();
    }

    /** The request is over: it no longer counts, and gives back its place among the retrying ones. */
    public void ended(Attempts<?> exchange) {
        requests.decrementAndGet();
        if (holding.remove(exchange)) {
            retrying.decrementAndGet();
        }
    }

    /** Whether the request may retry: it already holds a place, or takes one now; a refusal is counted. */
    boolean admit(Attempts<?> exchange) {
        if (holding.contains(exchange)) {
            return true;
        }
        int limit = Math.max(MIN_RETRYING, (int) (requests.get() * budgetPercent / 100));
        for (int current = retrying.get(); current < limit; current = retrying.get()) {
            if (retrying.compareAndSet(current, current + 1)) {
                holding.add(exchange);
                return true;
            }
        }
        refusals.inc();
        return false;
    }

    /** Requests holding a place among the retrying ones now. */
    public int retrying() {
        return retrying.get();
    }
}
