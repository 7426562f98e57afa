package io.breakwater.proxy.balance;

import java.util.List;

/**
 * The power of two random choices on the moving average of response time weighed by in-flight requests, so that a
 * fast backend is preferred without all traffic piling onto it. Thread-safe.
 */
public final class LeastResponseTime implements BalanceStrategy {

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        return TwoChoices.pick(candidates, LeastResponseTime::cost);
    }

    private static double cost(Backend backend) {
        return backend.averageNanos() * (backend.getInFlight() + 1);
    }
}
