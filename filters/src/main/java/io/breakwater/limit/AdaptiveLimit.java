package io.breakwater.limit;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import io.breakwater.core.servlet.RequestEnd;
import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.NanoClock;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The web app's concurrency limit and the requests it admitted: a request is admitted while the requests in flight
 * are under the limit, and the limit moves with the latency the admitted ones saw, as one of concurrency-limits'
 * algorithms decides. A critical request is shed only when the critical requests alone fill the limit, that is
 * only when shedding every other request would not make room for it. Thread-safe.
 */
final class AdaptiveLimit {
    /** A window shorter than this holds too few answers to tell latency from noise. */
    private static final long MIN_WINDOW_MILLIS = 100;
    private static final long MAX_WINDOW_MILLIS = 1000;

    private final Limit engine;
    /** The clock the admitted requests' latency is measured on. */
    private final NanoClock clock;
    private final int min;
    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger criticalInFlight = new AtomicInteger();

    AdaptiveLimit(ConcurrencyLimitConfig config, NanoClock clock) {
        this.engine = engine(config);
        this.clock = clock;
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

    int inFlight() {
        return inFlight.get();
    }

    /** A permit for a request that began at {@code startNanos}, or {@code null} when it is to be shed. */
    Permit tryAcquire(boolean critical, long startNanos) {
        int limit = limit();
        if (critical) {
            if (incrementBelow(criticalInFlight, limit) == 0) {
                return null;
            }
            return new Permit(startNanos, inFlight.incrementAndGet(), true);
        }
        int admitted = incrementBelow(inFlight, limit);
        return admitted == 0 ? null : new Permit(startNanos, admitted, false);
    }

    /** The count after adding one, or 0 when it was at the limit already and is left as it was. */
    private static int incrementBelow(AtomicInteger count, int limit) {
        for (int current = count.get(); current < limit; current = count.get()) {
            if (count.compareAndSet(current, current + 1)) {
                return current + 1;
            }
        }
        return 0;
    }

    /** How an admitted request ended, as the algorithm should take it. */
    enum Outcome {
        /** Answered: its latency is a sample. */
        ANSWERED,
        /** It ran past its deadline: a sign of overload whatever its latency (loss-based algorithms back off). */
        TIMED_OUT,
        /** It failed or its client left: its latency says nothing about the app's load. */
        IGNORED
    }

    /**
     * One admitted request's place; released exactly once, however the request ends ({@link RequestEnd}): when it
     * returns, or when its async cycle completes. Thread-safe.
     */
    final class Permit extends RequestEnd {
        private final long startNanos;
        private final int inFlightAtStart;
        private final boolean critical;

        private Permit(long startNanos, int inFlightAtStart, boolean critical) {
            this.startNanos = startNanos;
            this.inFlightAtStart = inFlightAtStart;
            this.critical = critical;
        }

        @Override
        protected void ended(HttpServletRequest request, HttpServletResponse response, Throwable failure,
                long nanoTime) {
            release(failure != null ? Outcome.IGNORED : outcome(request, response), clock.at(nanoTime));
        }

        /** Gives the place back and tells the algorithm how the request went. */
        private void release(Outcome outcome, long endNanos) {
            inFlight.decrementAndGet();
            if (critical) {
                criticalInFlight.decrementAndGet();
            }
            long latency = endNanos - startNanos;
            if (outcome != Outcome.IGNORED && latency > 0) {
                engine.onSample(startNanos, latency, inFlightAtStart, outcome == Outcome.TIMED_OUT);
            }
        }
    }

    /**
     * An answer's latency is a sample; a request past its deadline is a sign of overload; a failure (5xx) says
     * nothing of the app's load (a fast one would pull the baseline down, a broken backend's timeout push it up).
     */
    private static Outcome outcome(HttpServletRequest request, HttpServletResponse response) {
        Optional<Deadline> deadline = Deadline.of(request);
        if (deadline.isPresent() && deadline.get().isExpired()) {
            return Outcome.TIMED_OUT;
        }
        return response.getStatus() < 500 ? Outcome.ANSWERED : Outcome.IGNORED;
    }
}
