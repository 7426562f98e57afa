package io.breakwater.proxy.internal;

import com.codahale.metrics.Counter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many retries the proxy may send, as a token bucket (after Finagle's {@code RetryBudget}): every request
 * deposits {@code retryBudget} percent of a retry, every retry withdraws a whole one, and on top of the deposits
 * {@code retryBudgetMinPerSecond} retries a second are always allowed, so that a quiet proxy can retry at all.
 * Deposits and withdrawals expire after {@link #TTL}: the budget follows the last ten seconds of traffic, not the
 * proxy's whole life. Without it, every backend answering 503 turns each request into {@code maxAttempts} tries
 * just when the backends can least take them; with it, a burst of retries (a backend that dies with many requests
 * in flight) is paid from what the traffic before it deposited, and nothing is held per request, so a request that
 * ends by an abort leaves nothing behind. A retry refused is counted.
 *
 * <p>Thread-safe and lock-free: the window is {@value #SLICES} slices of a tenth of the TTL each, each an atomic
 * sum; a slice is reset when time comes back to it. Two threads that withdraw the last retry at once may both
 * take it, and an add that races a slice's reset may be lost: the budget is a rate, and so slight an excess does
 * not change what it protects.
 */
public final class RetryBudget {
    /** How long a deposit or a withdrawal counts. */
    public static final Duration TTL = Duration.ofSeconds(10);
    /** A retry, in the units of the bucket: a deposit of one percent is {@code RETRY / 100}. */
    private static final long RETRY = 10_000;
    private static final int SLICES = 10;
    private static final long SLICE_MILLIS = TTL.toMillis() / SLICES;

    private final Clock clock;
    private final long deposit;
    /** The retries a second always allowed, over one TTL, in units. */
    private final long reserve;
    private final Counter refusals;
    private final AtomicLongArray sums = new AtomicLongArray(SLICES);
    /** The slice number (time / slice length) each slot holds now. */
    private final AtomicLongArray slots = new AtomicLongArray(SLICES);

    /**
     * @param percent the share of a retry each request deposits (20: one retry per five requests)
     * @param minPerSecond retries a second allowed whatever the traffic deposited
     */
    public RetryBudget(float percent, int minPerSecond, Clock clock, Counter refusals) {
        this.clock = clock;
        this.deposit = Math.max(1, Math.round(percent * RETRY / 100));
        this.reserve = minPerSecond * TTL.toSeconds() * RETRY;
        this.refusals = refusals;
        long now = slice();
        for (int i = 0; i < SLICES; i++) {
            slots.set(i, now);
        }
    }

    /** A request came: it deposits its share of a retry. */
    public void deposit() {
        add(deposit);
    }

    /** Whether one retry may go; it is withdrawn when it may, and counted when it may not. */
    boolean withdraw() {
        if (balance() >= RETRY) {
            add(-RETRY);
            return true;
        }
        refusals.inc();
        return false;
    }

    /** Retries that may go now, whole ones. */
    public long available() {
        return Math.max(0, balance() / RETRY);
    }

    private long balance() {
        long now = slice();
        long sum = reserve;
        for (int i = 0; i < SLICES; i++) {
            if (now - slots.get(i) < SLICES) {
                sum += sums.get(i);
            }
        }
        return sum;
    }

    private void add(long units) {
        long now = slice();
        int slot = (int) (now % SLICES);
        long held = slots.get(slot);
        if (held != now && slots.compareAndSet(slot, held, now)) {
            sums.set(slot, 0); // time came back to this slot: what it held has expired
        }
        sums.addAndGet(slot, units);
    }

    private long slice() {
        return Math.floorDiv(clock.millis(), SLICE_MILLIS);
    }
}
