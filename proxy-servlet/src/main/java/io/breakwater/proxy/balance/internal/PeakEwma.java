package io.breakwater.proxy.balance.internal;

/**
 * A backend's response time as Finagle's peak-EWMA keeps it: a slower answer than the current figure replaces it at
 * once (the peak), a faster one is blended in by how much time passed, and the figure decays towards zero with time
 * constant {@link #DECAY_MILLIS} while no answer comes, so a backend that was slow once is tried again later. Only
 * answers feed it: a failed try is no fast answer. Thread-safe (one lock; an update is a few arithmetic operations).
 */
public final class PeakEwma {
    /** Finagle's default decay time: the figure forgets a peak over about this long. */
    public static final long DECAY_MILLIS = 10_000;

    private double nanos;
    /** When {@link #nanos} was last set, in milliseconds on the backend's clock; {@code Long.MIN_VALUE}: never. */
    private long stamp = Long.MIN_VALUE;

    /** An answer that took {@code rtt} nanoseconds came at {@code now}; {@code since}: older figures are dropped. */
    public synchronized void observe(long rtt, long now, long since) {
        if (stamp < since) {
            nanos = rtt;
        } else {
            double weight = Math.exp(-Math.max(0, now - stamp) / (double) DECAY_MILLIS);
            // never below what a read gave just before (nanos x weight): the figure only jumps up
            nanos = rtt > nanos * weight ? rtt : nanos * weight + rtt * (1 - weight);
        }
        stamp = now;
    }

    /** The figure at {@code now}, in nanoseconds; 0 before the first answer. */
    public synchronized double nanos(long now) {
        return stamp == Long.MIN_VALUE ? 0 : decayed(now);
    }

    /** Whether an answer came at or after {@code since}. */
    public synchronized boolean answeredSince(long since) {
        return stamp != Long.MIN_VALUE && stamp >= since;
    }

    private double decayed(long now) {
        return nanos * Math.exp(-Math.max(0, now - stamp) / (double) DECAY_MILLIS);
    }
}
