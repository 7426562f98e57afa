package io.breakwater.limit.internal;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One route's concurrency limit and the requests it admitted: a request is admitted while the route's requests in
 * flight are under the limit, and the limit moves with the latency the route's admitted requests saw, as one of
 * concurrency-limits' algorithms decides, so that what it learns from one route's timeouts stays that route's. A
 * critical request is shed only when the route's critical requests alone fill its limit. Thread-safe.
 */
final class AdaptiveLimit {
    /** A window shorter than this holds too few answers to tell latency from noise. */
    private static final long MIN_WINDOW_MILLIS = 100;
    private static final long MAX_WINDOW_MILLIS = 1000;

    private final Limit engine;
    private final int min;
    private final int max;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger criticalInFlight = new AtomicInteger();

    AdaptiveLimit(ConcurrencyLimitConfig config) {
        this.engine = engine(config);
        this.min = config.minLimit();
        this.max = config.maxLimit();
    }

    /**
     * The algorithm behind a window: each window (twice its fastest answer, from 100 ms to 1 s, and at least 10
     * answers) gives the algorithm one sample, its mean latency, so that one slow answer among hundreds a second
     * does not move the limit, and Vegas's baseline does not creep up sample by sample under a standing queue.
     */
    private static Limit engine(ConcurrencyLimitConfig config) {
        Limit algorithm = switch (config.algorithm()) {
            case "gradient2" -> Gradient2Limit.newBuilder().initialLimit(config.initialLimit())
                    .minLimit(config.minLimit()).maxConcurrency(config.maxLimit()).build();
            case "aimd" -> AIMDLimit.newBuilder().initialLimit(config.initialLimit()).minLimit(config.minLimit())
                    .maxLimit(config.maxLimit()).build();
            default -> VegasLimit.newBuilder().initialLimit(config.initialLimit())
                    .maxConcurrency(config.maxLimit()).build();
        };
        return WindowedLimit.newBuilder().minWindowTime(MIN_WINDOW_MILLIS, TimeUnit.MILLISECONDS)
                .maxWindowTime(MAX_WINDOW_MILLIS, TimeUnit.MILLISECONDS).build(algorithm);
    }

    /** The limit now, within the configured bounds (Vegas knows no minimum of its own). */
    int limit() {
        return Math.max(min, Math.min(max, engine.getLimit()));
    }

    /** Takes a place for a request, or answers 0 when the route is full; else the route's count with it. */
    int tryAcquire(boolean critical) {
        int limit = limit();
        if (critical) {
            if (incrementBelow(criticalInFlight, limit) == 0) {
                return 0;
            }
            return inFlight.incrementAndGet();
        }
        return incrementBelow(inFlight, limit);
    }

    /** Gives a place back without a sample: the request was not admitted after all. */
    void undo(boolean critical) {
        inFlight.decrementAndGet();
        if (critical) {
            criticalInFlight.decrementAndGet();
        }
    }

    /** Gives a place back and, unless the outcome says nothing of the load, tells the algorithm how it went. */
    void release(boolean critical, long startNanos, long latency, int inFlightAtStart, RouteLimits.Outcome outcome) {
        undo(critical);
        if (outcome != RouteLimits.Outcome.IGNORED && latency > 0) {
            engine.onSample(startNanos, latency, inFlightAtStart, outcome == RouteLimits.Outcome.TIMED_OUT);
        }
    }

    /** The count after adding one, or 0 when it was at the limit already and is left as it was. */
    static int incrementBelow(AtomicInteger count, int limit) {
        for (int current = count.get(); current < limit; current = count.get()) {
            if (count.compareAndSet(current, current + 1)) {
                return current + 1;
            }
        }
        return 0;
    }
}
