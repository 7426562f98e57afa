package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.util.List;

/**
 * The power of two random choices on response time (a peak-EWMA, {@link PeakEwma}) weighed by in-flight requests,
 * so that a fast backend is preferred without all traffic piling onto it. A backend with no answer since it joined
 * or came back is taken at the candidates' average response time, not at 0, which would send it everything; in its
 * slow start it counts as busier by the share it may not take yet. Thread-safe.
 */
public final class LeastResponseTime implements BalanceStrategy {
    private final BackendPool pool;

    public LeastResponseTime(BackendPool pool) {
        this.pool = pool;
    }

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return TwoChoices.pick(candidates, backend -> cost(backend, candidates));
    }

    private double cost(Backend backend, List<Backend> candidates) {
        double nanos = backend.answeredSinceReturn() ? backend.responseNanos() : average(candidates);
        return nanos * (backend.getInFlight() + 1) / pool.warmth(backend);
    }

    /** The average response time of the candidates answered since they joined or came back; 0 when none was. */
    public static double average(List<Backend> candidates) {
        double sum = 0;
        int answered = 0;
        for (Backend candidate : candidates) {
            if (candidate.answeredSinceReturn()) {
                sum += candidate.responseNanos();
                answered++;
            }
        }
        return answered == 0 ? 0 : sum / answered;
    }
}
